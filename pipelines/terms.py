"""The contract's vocabulary, defined once (contract sections 1, 3, 4 and 6).

Every Chinese header, alias, category name, enumeration and city code that the
code needs is here. Ingestion, the demo generator, the dbt seeds and the
publishers import these; nothing else spells them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# --------------------------------------------------------------------------- cities

PROVINCE_CODE = "370000"
PROVINCE_NAME = "山东省"

CITIES: dict[str, str] = {
    "370100": "济南市",
    "370200": "青岛市",
    "370300": "淄博市",
    "370400": "枣庄市",
    "370500": "东营市",
    "370600": "烟台市",
    "370700": "潍坊市",
    "370800": "济宁市",
    "370900": "泰安市",
    "371000": "威海市",
    "371100": "日照市",
    "371300": "临沂市",
    "371400": "德州市",
    "371500": "聊城市",
    "371600": "滨州市",
    "371700": "菏泽市",
}

# Codes that were merged away: any input code on the left means the city on the right.
MERGED_CITY_CODES: dict[str, str] = {"371200": "370100"}  # 莱芜市 → 济南市 (2019)


def normalize_city_code(code: str | None) -> str | None:
    """Map a city code as written in an input to a current one (371200 → 370100)."""
    if code is None:
        return None
    code = str(code).strip()
    return MERGED_CITY_CODES.get(code, code)


# --------------------------------------------------------------------------- enumerations

PERSON_CATEGORIES: tuple[str, ...] = (
    "长期失业人员",
    "大龄失业人员",
    "残疾失业人员",
    "低保家庭失业人员",
    "脱贫家庭高校毕业生",
    "低保家庭高校毕业生",
    "零就业家庭高校毕业生",
    "残疾高校毕业生",
    "较长时间未就业高校毕业生",
    "其他就业困难人员",
)
# 数据比对 (contract §7): the registry fact that supports each ledger category, and what a
# city reads when its claim is not supported. A category not listed has no registry to
# check it against. Evidence names are the flags of int_target_facts (is_<evidence>).
CATEGORY_EVIDENCE: dict[str, tuple[str, str]] = {
    "长期失业人员": ("long_term_unemployed", "失业登记不足1年或无登记"),
    "大龄失业人员": ("older_worker", "认定日期时年龄不足 (身份证)"),
    "残疾失业人员": ("disabled", "无持证残疾记录"),
    "残疾高校毕业生": ("disabled", "无持证残疾记录"),
    "低保家庭失业人员": ("dibao_member", "活动期间无低保记录"),
    "低保家庭高校毕业生": ("dibao_member", "活动期间无低保记录"),
    "脱贫家庭高校毕业生": ("poverty_alleviated", "不在脱贫人口库"),
}
EMPLOYMENT_STATUSES = ("未就业", "已就业")
EMPLOYED = "已就业"
UNEMPLOYED = "未就业"
JOB_WISHES = ("求职就业", "自主创业", "参加培训", "暂无意愿")
SERVICE_NEEDS = ("岗位推荐", "职业指导", "创业服务", "职业培训", "心理疏导", "政策咨询")
EMPLOYMENT_CHANNELS = ("企业吸纳", "灵活就业", "公益性岗位", "自主创业")
CHANNEL_ENTERPRISE, CHANNEL_FLEXIBLE, CHANNEL_PUBLIC_WELFARE = "企业吸纳", "灵活就业", "公益性岗位"
VISIT_METHODS = ("入户走访", "电话联系", "视频联系", "来访接待")
JOB_CATEGORIES = (
    "爱心岗位",
    "见习岗位",
    "残疾人按比例就业岗位",
    "城乡社区岗位",
    "灵活就业岗位",
    "急需紧缺岗位",
    "公益性岗位",
)
EVENT_FORMS = ("现场招聘会", "直播带岗", "云招聘", "就业大篷车", "就业驿站")
ONSITE_JOB_FAIR = "现场招聘会"
# rpt_job_pool's 岗位类别 for a posting whose category is empty (contract §8).
NOT_FILLED = "未填写"
REFERRAL_METHODS = ("短信", "微信", "APP", "电话", "现场")
YES_NO = ("是", "否")
GENDERS = ("男", "女")  # from the ID: odd 17th digit = 男
MALE, FEMALE = GENDERS
YES, NO = "是", "否"
BASE_TYPES = ("就业援助基地", "职业培训基地", "就业见习基地")
BASE_EMPLOYMENT_ASSISTANCE, BASE_TRAINING, BASE_INTERNSHIP = BASE_TYPES
PAIRING_TYPES = ("干部结对援助对象", "企业结对社区")
PAIRING_CADRE_TARGET, PAIRING_ENTERPRISE_COMMUNITY = PAIRING_TYPES
# 人员类别 values that make a target a graduate (contract §8, graduate_targets).
GRADUATE_CATEGORIES: tuple[str, ...] = tuple(
    c for c in PERSON_CATEGORIES if c.endswith("高校毕业生")
)
UI_BENEFIT_TYPES = ("失业保险金", "失业补助金")
DIBAO_TYPES = ("城市低保", "农村低保")

# Multi-valued cells separate values with any of these (contract §3).
MULTI_VALUE_SEPARATORS = "、，,；;／/ \t"
MULTI_VALUE_SPLIT_REGEX = r"[、，,；;／/\s]+"
# The separator dot of minority names (·, •, ・, ．) is one and the same.
NAME_DOTS = "·•・．.‧"

# --------------------------------------------------------------------------- tables

# "prose" is free text shown as written (典型案例, 意见建议): never folded or re-spaced.
Kind = Literal[
    "text", "prose", "id", "name", "phone", "date", "int", "money", "enum", "multi", "city"
]
SourceKind = Literal["submission", "registry"]


@dataclass(frozen=True)
class Column:
    """One column of an input table: its English name, Chinese header and accepted variants."""

    name: str
    header: str
    kind: Kind = "text"
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()  # for enum / multi: the contract's allowed values
    # Required only on rows whose column `required_when[0]` holds `required_when[1]`
    # (结对帮扶: the person's ID for 干部结对援助对象, the 结对社区 for 企业结对社区).
    required_when: tuple[str, str] | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


# Real offices' variants of the person-identifying headers, shared by every table.
ID_ALIASES = ("身份证号码", "公民身份号码", "公民身份证号", "身份证", "证件号码", "身份证件号码")
NAME_ALIASES = ("姓 名", "人员姓名", "对象姓名")
PHONE_ALIASES = ("手机号", "手机号码", "电话", "联系方式", "电话号码")
CITY_ALIASES = ("城市代码", "地市代码", "行政区划代码")


def _id(required: bool = True) -> Column:
    return Column("id_number", "身份证号", "id", required, ID_ALIASES)


def _name(required: bool = False) -> Column:
    return Column("name", "姓名", "name", required, NAME_ALIASES)


def _city() -> Column:
    return Column("city_code", "市代码", "city", True, CITY_ALIASES)


@dataclass(frozen=True)
class Table:
    """An input table type, recognised from its header row."""

    name: str  # raw table name in DuckDB schema `raw`
    title: str  # the Chinese name operators use
    source: SourceKind
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...] = ()
    registry_folder: str | None = None  # registries/<folder>/
    # Headers that must all be present for the table to be recognised.
    signature: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


LEDGER = Table(
    "ledger",
    "援助对象台账",
    "submission",
    (
        Column("seq", "序号", "int", aliases=("编号",)),
        _name(required=True),
        _id(),
        Column("gender", "性别"),
        Column("phone", "联系电话", "phone", aliases=PHONE_ALIASES),
        Column("district", "所属区县", aliases=("区县", "所属县区", "县(市、区)")),
        Column(
            "categories", "人员类别", "multi", True, ("人员类型", "援助对象类别"), PERSON_CATEGORIES
        ),
        Column("unemployment_registered_on", "失业登记日期", "date", aliases=("登记失业日期",)),
        Column("graduated_on", "毕业日期", "date", aliases=("毕业时间",)),
        Column("identified_on", "认定日期", "date", True, ("认定时间", "认定援助对象日期")),
        Column("employment_status", "就业状态", "enum", True, ("是否就业",), EMPLOYMENT_STATUSES),
        Column("job_wish", "就业意愿", "enum", values=JOB_WISHES),
        Column("service_needs", "服务需求", "multi", values=SERVICE_NEEDS),
        Column("assistance_plan", "帮扶措施", aliases=("一人一策", "帮扶措施(一人一策)")),
        Column("employed_on", "就业日期", "date", aliases=("就业时间",)),
        Column(
            "employment_channel",
            "就业方式",
            "enum",
            aliases=("就业途径", "就业渠道"),
            values=EMPLOYMENT_CHANNELS,
        ),
        Column("employer", "就业单位", aliases=("就业单位名称",)),
    ),
    natural_key=("id_number",),
    signature=("姓名", "身份证号", "人员类别", "认定日期"),
)

VISITS = Table(
    "visits",
    "走访慰问记录",
    "submission",
    (
        _name(),
        _id(),
        Column("visited_on", "走访日期", "date", True, ("走访时间", "慰问日期")),
        Column(
            "visit_method",
            "走访方式",
            "enum",
            aliases=("慰问方式", "走访形式"),
            values=VISIT_METHODS,
        ),
        Column("visitor", "走访人", aliases=("走访人员", "慰问人")),
    ),
    natural_key=("id_number", "visited_on", "visit_method"),
    signature=("身份证号", "走访日期"),
)

JOB_POSTS = Table(
    "job_posts",
    "岗位信息",
    "submission",
    (
        Column("post_id", "岗位编号", "text", True, ("岗位代码", "岗位ID")),
        Column("employer", "用人单位", "text", True, ("用人单位名称", "招聘单位", "企业名称")),
        Column("employer_uscc", "统一社会信用代码", aliases=("社会信用代码", "信用代码")),
        Column("title", "岗位名称", "text", True, ("招聘岗位",)),
        Column("category", "岗位类别", "enum", aliases=("岗位类型",), values=JOB_CATEGORIES),
        Column("openings", "招聘人数", "int", True, ("需求人数", "招聘数量")),
        Column("requirements", "岗位要求", aliases=("任职要求", "招聘条件")),
        Column("salary_min", "月薪下限", "money", aliases=("最低月薪", "薪资下限")),
        Column("salary_max", "月薪上限", "money", aliases=("最高月薪", "薪资上限")),
        Column("published_on", "发布日期", "date", True, ("发布时间",)),
        Column(
            "is_discriminatory",
            "是否歧视性信息",
            "enum",
            aliases=("是否含歧视性内容",),
            values=YES_NO,
        ),
        Column("removed_on", "清理日期", "date", aliases=("清理时间",)),
    ),
    natural_key=("post_id",),
    signature=("岗位编号", "用人单位", "岗位名称"),
)

EVENTS = Table(
    "events",
    "招聘活动",
    "submission",
    (
        Column("event_id", "活动编号", "text", True, ("活动代码",)),
        Column("event_name", "活动名称", aliases=("招聘会名称",)),
        Column("held_on", "举办日期", "date", True, ("举办时间", "活动日期")),
        Column("event_form", "活动形式", "enum", aliases=("招聘形式",), values=EVENT_FORMS),
        Column("is_special", "是否专场", "enum", True, ("是否专场招聘",), YES_NO),
        Column("employers_count", "参与单位数", "int", aliases=("参会单位数", "参加单位数")),
        Column("posts_offered", "提供岗位数", "int", aliases=("提供岗位数量",)),
        Column("participants", "参与人数", "int", aliases=("参会人数", "参加人数")),
    ),
    natural_key=("event_id",),
    signature=("活动编号", "举办日期", "是否专场"),
)

REFERRALS = Table(
    "referrals",
    "岗位推介记录",
    "submission",
    (
        _name(),
        _id(),
        Column("post_id", "岗位编号", "text", True, ("岗位代码", "岗位ID")),
        Column("referred_on", "推介日期", "date", True, ("推介时间", "推送日期")),
        Column(
            "referral_method", "推介方式", "enum", aliases=("推送方式",), values=REFERRAL_METHODS
        ),
    ),
    natural_key=("id_number", "post_id"),
    signature=("身份证号", "岗位编号", "推介日期"),
)

# Credit codes (统一社会信用代码, GB 32100) share one header and its variants.
USCC_ALIASES = ("社会信用代码", "信用代码")

BASES = Table(
    "bases",
    "援助基地",
    "submission",
    (
        Column("base_id", "基地编号", "text", True, ("基地代码",)),
        Column("base_name", "基地名称", "text", True),
        Column("base_type", "基地类型", "enum", True, ("基地类别",), BASE_TYPES),
        Column("operator", "运营单位", "text", True, ("运营主体", "运营单位名称")),
        Column("operator_uscc", "统一社会信用代码", aliases=USCC_ALIASES),
        Column("recognised_on", "认定日期", "date", True, ("认定时间",)),
        Column("posts_offered", "提供岗位数", "int", aliases=("提供岗位数量",)),
        Column("contact_name", "联系人", "name"),
        Column("contact_phone", "联系电话", "phone", aliases=("联系方式",)),
    ),
    natural_key=("base_id",),
    signature=("基地编号", "基地名称", "基地类型"),
)

PAIRINGS = Table(
    "pairings",
    "结对帮扶",
    "submission",
    (
        Column("pairing_id", "结对编号", "text", True, ("结对代码",)),
        Column("pairing_type", "结对类型", "enum", True, ("结对方式",), PAIRING_TYPES),
        Column("helper", "帮扶方", "text", True, ("帮扶单位", "帮扶人")),
        Column(
            "helper_uscc",
            "帮扶方统一社会信用代码",
            aliases=("帮扶方社会信用代码", "帮扶企业统一社会信用代码"),
        ),
        Column("name", "援助对象姓名", "name", aliases=("姓名", *NAME_ALIASES)),
        Column(
            "id_number",
            "援助对象身份证号",
            "id",
            aliases=("身份证号", *ID_ALIASES),
            required_when=("pairing_type", PAIRING_CADRE_TARGET),
        ),
        Column(
            "community",
            "结对社区",
            aliases=("社区", "结对社区名称"),
            required_when=("pairing_type", PAIRING_ENTERPRISE_COMMUNITY),
        ),
        Column("paired_on", "结对日期", "date", True, ("结对时间",)),
        Column("ended_on", "解除日期", "date", aliases=("解除时间", "解除结对日期")),
    ),
    natural_key=("pairing_id",),
    signature=("结对编号", "结对类型", "帮扶方"),
)

CONTACTS = Table(
    "contacts",
    "联系人",
    "submission",
    (
        Column("name", "姓名", "name", True, NAME_ALIASES),
        Column("unit", "单位", aliases=("工作单位", "所在单位")),
        Column("position", "职务", aliases=("职称",)),
        Column("office_phone", "办公电话", "phone", aliases=("座机",)),
        Column("mobile", "手机", "phone", True, ("手机号码", "移动电话")),
        Column("email", "电子邮箱", aliases=("邮箱", "电子邮件")),
    ),
    signature=("姓名", "手机"),
)

CASES = Table(
    "cases",
    "典型案例",
    "submission",
    (
        Column("title", "标题", "prose", True, ("案例标题", "案例名称")),
        Column("content", "内容", "prose", True, ("案例内容",)),
        Column("people_involved", "涉及人数", "int"),
    ),
    signature=("标题", "内容"),
)

SUGGESTIONS = Table(
    "suggestions",
    "意见建议",
    "submission",
    (Column("content", "内容", "prose", True, ("意见建议", "建议内容")),),
    signature=("内容",),
)

# --------------------------------------------------------------------------- registries

UNEMPLOYMENT_REGISTRATION = Table(
    "reg_unemployment_registration",
    "失业登记",
    "registry",
    (
        _id(),
        _name(),
        _city(),
        Column("registered_on", "失业登记日期", "date", True, ("登记日期",)),
        Column("cancelled_on", "注销日期", "date", aliases=("注销时间",)),
        Column("cancel_reason", "注销原因"),
    ),
    natural_key=("id_number", "registered_on"),
    registry_folder="unemployment_registration",
    signature=("身份证号", "失业登记日期", "注销日期"),
)


def _payment_registry(name: str, title: str, folder: str, kind: Column) -> Table:
    """A registry of payments to persons (失业保险待遇, 临时救助): one row per 流水号, the
    payment's `kind` column between the person and the date."""
    return Table(
        name,
        title,
        "registry",
        (
            Column("payment_id", "流水号", "text", True, ("发放流水号",)),
            _id(),
            _name(),
            _city(),
            kind,
            Column("paid_on", "发放日期", "date", True, ("发放时间",)),
            Column("amount_yuan", "发放金额", "money", True, ("金额",)),
        ),
        natural_key=("payment_id",),
        registry_folder=folder,
        signature=("流水号", kind.header, "发放日期"),
    )


UI_BENEFITS = _payment_registry(
    "reg_ui_benefits",
    "失业保险待遇发放",
    "ui_benefits",
    Column("benefit_type", "待遇类型", "enum", values=UI_BENEFIT_TYPES),
)

DIBAO = Table(
    "reg_dibao",
    "低保",
    "registry",
    (
        _id(),
        _name(),
        Column("household_id", "家庭编号", aliases=("户编号",)),
        _city(),
        Column("dibao_type", "保障类型", "enum", values=DIBAO_TYPES),
        Column("started_on", "起始日期", "date", True, ("开始日期",)),
        Column("ended_on", "终止日期", "date", aliases=("结束日期",)),
    ),
    natural_key=("id_number", "started_on"),
    registry_folder="dibao",
    signature=("身份证号", "保障类型", "起始日期"),
)

TEMP_RELIEF = _payment_registry(
    "reg_temp_relief", "临时救助发放", "temp_relief", Column("relief_type", "救助类型")
)

DISABILITY = Table(
    "reg_disability",
    "持证残疾人",
    "registry",
    (
        _id(),
        _name(),
        _city(),
        Column("disability_type", "残疾类别"),
        Column("disability_grade", "残疾等级"),
        Column("certified_on", "发证日期", "date", True, ("发证时间",)),
    ),
    natural_key=("id_number",),
    registry_folder="disability",
    signature=("身份证号", "残疾类别", "发证日期"),
)

POVERTY_ALLEVIATED = Table(
    "reg_poverty_alleviated",
    "脱贫人口",
    "registry",
    (_id(), _name(), Column("household_id", "家庭编号", aliases=("户编号",)), _city()),
    natural_key=("id_number",),
    registry_folder="poverty_alleviated",
    signature=("身份证号", "家庭编号", "市代码"),
)

GRADUATES = Table(
    "reg_graduates",
    "离校未就业高校毕业生",
    "registry",
    (
        _id(),
        _name(),
        _city(),
        Column("school", "毕业院校", aliases=("院校名称", "毕业学校")),
        Column("degree", "学历"),
        Column("graduated_on", "毕业日期", "date", aliases=("毕业时间",)),
        Column("employment_status", "就业状态", "enum", values=EMPLOYMENT_STATUSES),
    ),
    natural_key=("id_number",),
    registry_folder="graduates",
    signature=("身份证号", "毕业院校", "学历"),
)

# --------------------------------------------------------------------------- the report (§6)


@dataclass(frozen=True)
class Figure:
    """One of the 17 figures of the statistics table, in the attachment's order."""

    name: str
    header: str
    group: str | None = None  # the merged top-row header for 其中 columns
    parent: str | None = None  # the total this figure is part of (invariant: part ≤ total)
    money: bool = False


FIGURES: tuple[Figure, ...] = (
    Figure("targets_identified", "认定的援助对象人数"),
    Figure("long_term_unemployed", "长期失业人数", "其中", "targets_identified"),
    Figure("older_workers", "大龄人员数", "其中", "targets_identified"),
    Figure("disabled", "残疾人员数", "其中", "targets_identified"),
    Figure("dibao_members", "低保家庭成员人数", "其中", "targets_identified"),
    Figure("visits", "为援助对象开展走访慰问人次数"),
    Figure("job_posts_collected", "收集岗位信息数"),
    Figure("special_recruitment_events", "举办专项招聘场次数"),
    Figure("onsite_job_fairs", "其中现场招聘会场次数", None, "special_recruitment_events"),
    Figure("jobs_pushed", "推送提供就业岗位数"),
    Figure("employed", "帮助援助对象实现就业人数"),
    Figure("employed_by_enterprise", "企业吸纳人数", "其中", "employed"),
    Figure("employed_flexibly", "灵活就业人数", "其中", "employed"),
    Figure("employed_public_welfare", "公益性岗位安置人数", "其中", "employed"),
    Figure("discriminatory_posts_removed", "清理歧视性招聘信息数"),
    Figure("temp_relief_payments", "实施临时救助人次数"),
    Figure("temp_relief_amount_yuan", "实施临时救助发放金额数", money=True),
)
FIGURE_NAMES: tuple[str, ...] = tuple(f.name for f in FIGURES)

REPORT_KEY_COLUMNS: dict[str, str] = {
    "cutoff_date": "截止日期",
    "city_code": "城市代码",
    "city_name": "城市",
}
REPORT_HEADERS: dict[str, str] = {**REPORT_KEY_COLUMNS, **{f.name: f.header for f in FIGURES}}
TOTAL_ROW_LABEL = "合计"

# Contract §8, rpt_campaign_supplement: column → Chinese header, in the contract's order.
SUPPLEMENT_FIGURES: dict[str, str] = {
    "bases_employment_assistance": "就业援助基地数",
    "bases_training": "职业培训基地数",
    "bases_internship": "就业见习基地数",
    "employed_at_bases": "援助基地吸纳就业人数",
    "targets_paired": "干部结对帮扶对象人数",
    "enterprise_community_pairs": "企业结对社区数",
    "graduate_targets": "高校毕业生援助对象人数",
    "median_days_to_employment": "实现就业用时中位数（天）",
    "fell_back_to_unemployed": "就业后又失业人数",
    "invalid_credit_codes": "统一社会信用代码校验不通过数",
}
JOB_POOL_HEADERS: dict[str, str] = {
    "post_category": "岗位类别",
    "postings": "岗位数",
    "openings": "招聘人数",
}

# Contract §7/§10 completion measures (rpt_city_targets, rpt_city_rankings) → Chinese label.
COMPLETION_MEASURES: dict[str, str] = {
    "referral_coverage_rate": "推送岗位≥3个的对象占比",
    "event_cadence_rate": "每两周专场招聘完成率",
    "visits_per_target": "人均走访慰问次数",
    "plan_rate": "一人一策覆盖率",
    "employment_rate": "援助对象就业率",
    "relief_coverage_rate": "临时救助覆盖率",
}

# The city's own statistics table: recognised by these headers; its figures are
# the same 17 in the same order, read by position under the two-row header.
CITY_STATS = Table(
    "city_stats",
    "统计表",
    "submission",
    (
        Column("unit", "城市", aliases=("地市", "单位", "市")),
        *(Column(f.name, f.header, "money" if f.money else "int") for f in FIGURES),
    ),
    signature=("认定的援助对象人数", "推送提供就业岗位数"),
)

# The policy's further tables (contract §3, §8, §10): a city that never sends them is fine.
POLICY_TABLES: tuple[Table, ...] = (BASES, PAIRINGS, CONTACTS, CASES, SUGGESTIONS)
# The tables a city sends every cut-off (contract §3), in the order a report lists them:
# reporting completeness expects each of them in every cut-off folder.
EVERY_CUTOFF_TABLES: tuple[Table, ...] = (LEDGER, VISITS, JOB_POSTS, EVENTS, REFERRALS, CITY_STATS)
SUBMISSION_TABLES: tuple[Table, ...] = (*EVERY_CUTOFF_TABLES, *POLICY_TABLES)
REGISTRY_TABLES: tuple[Table, ...] = (
    UNEMPLOYMENT_REGISTRATION,
    UI_BENEFITS,
    DIBAO,
    TEMP_RELIEF,
    DISABILITY,
    POVERTY_ALLEVIATED,
    GRADUATES,
)
ALL_TABLES: tuple[Table, ...] = SUBMISSION_TABLES + REGISTRY_TABLES
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in ALL_TABLES}
REGISTRY_BY_FOLDER: dict[str, Table] = {t.registry_folder: t for t in REGISTRY_TABLES}  # type: ignore[misc]

# Lineage columns carried by every row of every raw.<table> (see docs/raw_layer.md).
LINEAGE_COLUMNS: tuple[str, ...] = (
    "file_sha256",
    "file_path",
    "sheet",
    "source_row",
    "received_at",
    "campaign_id",
    "cutoff_date",
    "city_code",
    "table_type",
)
