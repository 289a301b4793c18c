"""Every reason code the pipeline can emit, with the Chinese text city staff read.

The pipeline records *codes* (``bad_date``, ``invalid_id_no_match`` …) beside an English
detail sentence for operators' logs; whatever a person in a city or at the province
reads — the 问题反馈 workbook, the run summary, the findings mart — is rendered from
this registry: 原因 (what is wrong) and 如何修改 (what to change before re-uploading).

Where codes are emitted (tests/test_reason_codes.py finds them there, so a new code
without an entry here fails the suite):

- Python under pipelines/: the first argument of a call named ``fail``/``refuse``/
  ``explain``; any string inside a ``reason_code=``/``error_code=`` keyword or a
  ``"reason_code"`` dict entry; the values of a module-level name containing
  ``REASON``; the name of a ``CheckOutcome``.
- dbt models and macros: ``then 'code'`` inside a ``case … end as reason_code``, and
  ``'code' as reason_code`` / ``'code' as check_type``.
- the gate: every expectation type of pipelines/checks/suites.py.

Texts may use ``{column}`` (the header as the city wrote it) and ``{value}`` (the cell as
written); ``render`` fills them and leaves them out gracefully when unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["file", "row", "cell", "person", "comparison", "todo", "timeliness", "gate"]


@dataclass(frozen=True)
class Reason:
    code: str
    level: Level
    title: str  # 问题类型: a short Chinese label, used as a column/category name
    cause: str  # 原因
    fix: str  # 如何修改


_R = [
    # ---------------------------------------------------------------- whole files (ingest)
    Reason(
        "bad_location",
        "file",
        "文件放错位置",
        "文件不在规定的上传目录中（目录应为 submissions/活动编号/截止日期/城市代码/），或截止日期、城市代码目录名不正确",
        "请把文件放到本市本期的上传目录中，截止日期写成 2022-08-15 的形式，城市目录用 6 位城市代码（如 370100）",
    ),
    Reason(
        "unreadable_file",
        "file",
        "文件无法打开",
        "文件已损坏、加了密码，或不是真正的 xlsx / xls / csv 文件",
        "请用 Excel 或 WPS 打开确认无误后另存为 .xlsx 重新上传，不要加密码，不要只改扩展名",
    ),
    Reason(
        "empty_file",
        "file",
        "空文件",
        "文件是空的，没有任何内容",
        "请确认上传的是填好的台账文件，重新上传",
    ),
    Reason(
        "unknown_table",
        "file",
        "无法识别表格",
        "在前几行中找不到任何一种规定表格的表头，无法判断这是哪张表",
        "请使用省里下发的模板，表头文字不要改动（如台账须有“姓名”“身份证号”“人员类别”“认定日期”“就业状态”等列）",
    ),
    # ---------------------------------------------------------------- entries never opened, archives (ingest)
    Reason(
        "refused_link",
        "file",
        "快捷方式/链接未读取",
        "上传目录中的这一项是一个链接（快捷方式），指向上传目录以外、指向文件夹或指向不存在的位置，为安全起见不读取",
        "请把真正的台账文件本身（不是快捷方式或链接）放进本市本期的上传目录",
    ),
    Reason(
        "refused_special_file",
        "file",
        "不是普通文件",
        "上传目录中的这一项不是普通文件（如管道、设备或无法打开的目录），为安全起见不读取",
        "请只上传 xlsx / xls / csv 文件本身",
    ),
    Reason(
        "not_an_upload",
        "file",
        "系统临时文件",
        "这是 Excel/WPS 打开文件时产生的临时锁定文件（~$ 或 .~lock 开头）或系统文件（Thumbs.db、.DS_Store 等），不是台账",
        "无需处理；以后上传前请先关闭 Excel/WPS，不要上传这类文件",
    ),
    Reason(
        "refused_archive",
        "file",
        "压缩包无法读取",
        "压缩包已损坏、加了密码，或解压后过大（超过限制：200 MB 或压缩包本身大小的 100 倍）",
        "请不要加密码；请直接上传 xlsx / xls / csv 文件，或只把本期台账文件压缩后重新上传",
    ),
    Reason(
        "refused_member",
        "file",
        "压缩包内路径不安全",
        "压缩包中的这个文件名带有“..”或以“/”开头，解压时会写到规定目录之外，为安全起见不读取",
        "请把台账文件直接放在压缩包里（不要带上级目录），重新压缩后上传",
    ),
    Reason(
        "skipped_member",
        "file",
        "压缩包内非表格文件",
        "压缩包中的这个文件不是 xlsx / xls / csv 表格，已跳过",
        "无需处理；如果它本应是台账，请另存为 .xlsx 后重新上传",
    ),
    Reason(
        "reader_crashed",
        "file",
        "文件内容异常无法读取",
        "读取这个文件时读取程序出错中止（文件结构损坏、由其他软件生成的异常格式、或内容过大），文件已被隔离，其他文件不受影响",
        "请用 Excel 或 WPS 打开该文件，确认内容无误后“另存为” .xlsx 重新上传",
    ),
    # ---------------------------------------------------------------- rows and cells (ingest)
    Reason(
        "missing_required",
        "row",
        "必填项为空",
        "必填项「{column}」为空，或表头中缺少这一列",
        "请补填「{column}」；如果整列缺失，请按模板补上这一列",
    ),
    Reason(
        "invalid_credit_code",
        "cell",
        "统一社会信用代码有误",
        "“{value}”不符合统一社会信用代码的国家标准（GB 32100），校验位不对，可能有错字、漏字或多字",
        "请核对该单位的统一社会信用代码（18位，可在营业执照上查到）并更正后重新上传；本行已入库，不影响统计",
    ),
    Reason(
        "bad_date",
        "row",
        "日期格式错误",
        "「{column}」中的“{value}”不是有效日期",
        "请写成具体日期，如 2022-08-05、2022/8/5 或 2022年8月5日；不要写“8月上旬”之类的描述",
    ),
    Reason(
        "bad_number",
        "row",
        "数字格式错误",
        "「{column}」中的“{value}”不是数字",
        "请只填阿拉伯数字（金额可带两位小数），不要带文字说明",
    ),
    Reason(
        "bad_enum",
        "row",
        "不在规定选项内",
        "「{column}」中的“{value}”不是规定的选项",
        "请从模板规定的选项中选择填写（如就业状态只能填“未就业”或“已就业”），多个值用顿号“、”分隔",
    ),
    # ---------------------------------------------------------------- people (person resolution)
    Reason(
        "invalid_id_no_match",
        "person",
        "身份证号有误且无法匹配",
        "身份证号“{value}”不是有效的 18 位身份证号（位数、校验位或出生日期不对），按姓名和电话也找不到对应的人",
        "请核对并改正身份证号（注意在 Excel 中把该列设为“文本”，避免变成 3.70102E+17 这样的科学计数）",
    ),
    Reason(
        "invalid_id_no_name_or_phone",
        "person",
        "身份证号有误且缺姓名或电话",
        "身份证号“{value}”无效，且这一行缺少姓名或联系电话，无法确认是哪一个人",
        "请改正身份证号；如暂时无法核实，请补全姓名和联系电话",
    ),
    Reason(
        "invalid_id_no_phone_table",
        "person",
        "身份证号有误（本表无电话）",
        "身份证号“{value}”无效，而这张表没有电话一列，只能靠身份证号确认人员",
        "请改正身份证号，使其与台账中该人员的身份证号一致",
    ),
    Reason(
        "ambiguous_name_phone",
        "person",
        "身份证号有误且姓名电话对应多人",
        "身份证号“{value}”无效，同样姓名和电话的人不止一个，无法确定是哪一位",
        "请改正身份证号",
    ),
    # ---------------------------------------------------------------- 数据比对 (comparison)
    Reason(
        "category_unsupported",
        "comparison",
        "人员类别与部门数据不符",
        "台账中登记的人员类别，在省级部门数据（失业登记、残联、民政低保、脱贫人口等）中找不到依据",
        "请核实该人员的类别；如确属该类别，请保留并备好证明材料；如填错，请在台账中改正",
    ),
    Reason(
        "multi_city_claim",
        "comparison",
        "人员被多个城市同时登记",
        "同一个人同时出现在多个城市本期的台账中；按规定归属最后上报台账的城市",
        "请与相关城市核实该人员的实际所在地，不属于本市的请从台账中删除",
    ),
    Reason(
        "figure_difference",
        "comparison",
        "统计表数字与台账不一致",
        "本市上报的统计表数字与省里根据台账计算的数字不一致",
        "请核对统计表与台账，改正其中有误的一方后重新上传",
    ),
    Reason(
        "discrimination_unmarked",
        "comparison",
        "疑似歧视性岗位未标注",
        "岗位要求中含有疑似歧视性内容（如限定性别、年龄、户籍等），但“是否歧视性信息”填的是“否”",
        "请核查该岗位信息；确有歧视性内容的，请清理并填写“是”和清理日期",
    ),
    # ---------------------------------------------------------------- 待办 (to-do list)
    Reason(
        "referrals_below_minimum",
        "todo",
        "推介岗位不足3个",
        "该援助对象在活动期间收到的岗位推介少于规定的 3 个",
        "请尽快为其推介合适岗位，并在岗位推介记录中登记",
    ),
    Reason(
        "never_visited",
        "todo",
        "未走访慰问",
        "活动期间没有该援助对象的走访慰问记录",
        "请安排入户走访或电话、视频联系，并在走访慰问记录中登记",
    ),
    Reason(
        "no_plan",
        "todo",
        "未制定帮扶措施",
        "台账中该援助对象的“帮扶措施”为空，尚未制定“一人一策”",
        "请为其制定帮扶措施并填入台账“帮扶措施”一栏",
    ),
    Reason(
        "relief_eligible_unpaid",
        "todo",
        "符合临时救助条件未发放",
        "该援助对象未就业、未领失业保险金、也不在低保范围内，符合临时救助条件，但尚无发放记录",
        "请与民政部门核实，符合条件的及时发放临时救助",
    ),
    # ---------------------------------------------------------------- reporting timeliness
    Reason(
        "late_upload",
        "timeliness",
        "逾期上报",
        "文件在截止日期之后才收到",
        "请在每期截止日（每月15日、月底）当天结束前上传",
    ),
    Reason(
        "missing_upload",
        "timeliness",
        "本期未上报",
        "本期没有收到本市的任何文件（沿用上一期台账计算）",
        "请尽快上传本期台账及各项记录",
    ),
    Reason(
        "missing_ledger",
        "timeliness",
        "本期未上报台账",
        "本期收到了文件，但没有援助对象台账（沿用上一期台账计算）",
        "请上传本期完整的援助对象台账",
    ),
    Reason(
        "missing_contact",
        "timeliness",
        "未报送联系人",
        "本市尚未报送活动联系人",
        "请随本期材料上传“联系人”表（姓名、手机必填）",
    ),
    # ---------------------------------------------------------------- the quality gate (province)
    Reason(
        "expect_table_columns_to_match_set",
        "gate",
        "表结构不符",
        "数据表的列与规定不一致",
        "请检查上传模板或程序版本",
    ),
    Reason(
        "expect_table_row_count_to_be_between",
        "gate",
        "行数异常",
        "数据表为空或行数超出合理范围（如整期台账为空）",
        "请检查上传目录是否正确、台账是否为空",
    ),
    Reason(
        "expect_column_values_to_not_be_null",
        "gate",
        "必填值缺失",
        "必须有值的列出现空值",
        "请核对相关城市的原始文件并补全",
    ),
    Reason(
        "expect_column_values_to_be_in_set",
        "gate",
        "取值不在规定范围",
        "某列出现规定范围之外的取值",
        "请核对相关城市的原始文件",
    ),
    Reason(
        "expect_column_values_to_be_between",
        "gate",
        "数值超出合理范围",
        "数值为负数、日期不在活动期间或有效身份证比例过低",
        "请核对相关城市的原始文件",
    ),
    Reason(
        "expect_compound_columns_to_be_unique",
        "gate",
        "记录重复",
        "同一编号或同一组合出现了多次",
        "请核对相关城市的原始文件，删除重复记录",
    ),
    Reason(
        "expect_column_pair_values_a_to_be_greater_than_b",
        "gate",
        "分项大于总数",
        "“其中”项大于总数，或结束日期早于开始日期",
        "请核对统计口径和原始数据",
    ),
    Reason(
        "table_readable",
        "gate",
        "数据表无法读取",
        "质量检查无法读取数据表",
        "请查看运行日志，修复后重新运行",
    ),
    Reason(
        "gate_crashed",
        "gate",
        "质量检查出错",
        "质量检查程序运行出错",
        "请查看运行日志，修复后重新运行",
    ),
    # The report's contract §6 invariants: dbt tests of rpt_campaign_stats (their names).
    Reason(
        "assert_rpt_campaign_stats_province",
        "gate",
        "全省合计与各市之和不符",
        "全省合计行与 16 个城市之和不一致",
        "这是计算程序的问题，请联系技术人员",
    ),
    Reason(
        "assert_rpt_campaign_stats_complete",
        "gate",
        "报表缺少城市",
        "某一期报表缺少某个城市或全省的行",
        "这是计算程序的问题，请联系技术人员",
    ),
    Reason(
        "assert_rpt_campaign_stats_invariants",
        "gate",
        "报表数字不合逻辑",
        "统计报表中有负数，或“其中”项大于总数",
        "这是计算程序的问题，请联系技术人员",
    ),
    Reason(
        "cities_reported",
        "gate",
        "有城市未上报",
        "有城市本期没有上传文件或没有上传台账",
        "请督促相关城市尽快上报",
    ),
]

REASONS: dict[str, Reason] = {r.code: r for r in _R}
assert len(REASONS) == len(_R), "a reason code is defined twice"

LEVEL_TITLES: dict[str, str] = {
    "file": "整个文件未读入",
    "row": "整行未读入",
    "cell": "单元格已置空（该行已读入）",
    "person": "人员无法确认（该行不计入统计）",
    "comparison": "数据比对",
    "todo": "待办事项",
    "timeliness": "上报及时性",
    "gate": "质量检查",
}


def explain(code: str) -> Reason:
    """The registry entry of `code`; an unknown code still yields something a person can act on."""
    found = REASONS.get(code)
    if found is not None:
        return found
    return Reason(
        code,
        "row",
        "其他问题",
        f"数据有问题（代码 {code}）",
        "请联系省里的数据管理员，并提供本条记录的文件名和行号",
    )


def render(code: str, column: str | None = None, value: object = None) -> tuple[str, str]:
    """(原因, 如何修改) with the column and value filled in."""
    reason = explain(code)
    col = column or "（该列）"
    val = "（空）" if value is None or str(value) == "" else str(value)
    return reason.cause.format(column=col, value=val), reason.fix.format(column=col, value=val)
