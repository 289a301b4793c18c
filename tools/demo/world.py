"""The simulated campaign: people, their ledger lives, registries, postings and events.

Everything here is "what really happened"; the files (generator.py) are how the
cities report it, spoiled by noise. All randomness comes from one seeded Random
and from campaign dates, never from today's date.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from faker.providers.company.zh_CN import Provider as CompanyProvider
from faker.providers.job.zh_CN import Provider as JobProvider
from faker.providers.person.zh_CN import Provider as PersonProvider

from pipelines import terms
from pipelines.campaign import Campaign
from tools.demo import ids

D = dt.date
OTHER_PROVINCE_REGIONS = ("410102", "130104", "320102", "220102", "340104", "120101")
MINORITY_PARTS = (
    "买买提",
    "阿卜杜拉",
    "艾力",
    "古丽",
    "热依拉",
    "努尔",
    "阿依古丽",
    "吐尔逊",
    "依明",
    "米娜瓦尔",
    "帕提古丽",
    "阿迪力",
    "麦合木提",
    "迪丽拜尔",
    "巴图",
    "其其格",
)
PHONE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "178",
    "180",
    "182",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
)
PLANS = (
    "推荐适合岗位不少于3个，开展一次职业指导",
    "纳入公益性岗位安置计划",
    "推荐参加技能培训（家政服务）",
    "提供创业担保贷款政策咨询",
    "落实“一对一”就业服务专员，定期电话回访",
    "结合本人意愿推荐就近就业岗位",
    "开展心理疏导，帮助树立就业信心",
    "推荐参加见习岗位",
)
EXTRA_TITLES = (
    "保洁员",
    "保安员",
    "仓库管理员",
    "普工",
    "收银员",
    "客服专员",
    "快递分拣员",
    "餐厅服务员",
    "社区网格员",
    "家政服务员",
    "养老护理员",
    "送餐员",
    "理货员",
)
FAIR_REQUIREMENTS = (
    "身体健康，能吃苦耐劳",
    "高中及以上学历",
    "有相关工作经验者优先",
    "持C1驾驶证",
    "熟练使用办公软件",
    "责任心强，服从安排",
    "接受倒班",
    "提供食宿，缴纳五险",
)
DISCRIMINATORY_REQUIREMENTS = (
    "限男性",
    "仅招女性",
    "年龄35周岁以下",
    "限本市户籍",
    "乙肝携带者勿扰",
    "已婚已育优先",
    "未婚未育者勿扰",
    "身高160cm以上，形象气质佳",
    "五官端正，限25岁以下",
)
SCHOOLS = (
    "山东大学",
    "中国海洋大学",
    "济南大学",
    "青岛大学",
    "山东师范大学",
    "山东理工大学",
    "曲阜师范大学",
    "临沂大学",
    "山东职业学院",
    "潍坊职业学院",
    "日照职业技术学院",
)
DEGREES = ("本科", "专科", "硕士研究生")
DISABILITY_TYPES = ("视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾")
RELIEF_TYPES = ("急难型临时救助", "支出型临时救助")
CANCEL_REASONS = ("已就业", "已就业", "自主创业", "退休", "本人申请")


def rand_date(rng: random.Random, lo: D, hi: D) -> D:
    if hi < lo:
        return lo
    return lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))


def low_income_household(p: Person, r: random.Random, dibao: bool) -> None:
    """Make `p` a member of a 低保 household (since before the campaign) or, otherwise, of
    a household lifted out of poverty (脱贫)."""
    if dibao:
        p.dibao = (rand_date(r, D(2018, 1, 1), D(2022, 5, 1)), None)
        p.household = f"DB{p.region}{r.randrange(10**7):07d}"
    else:
        p.poverty = True
        p.household = f"TP{p.region}{r.randrange(10**7):07d}"


def add_years(d: D, years: int) -> D:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year + years, day=28)


@dataclass(slots=True)
class Person:
    pid: str
    name: str
    male: bool
    birth: D
    phone: str
    home_city: str
    district: str
    region: str
    role: str = "ledger"  # ledger | find_one | registry_other
    identified_on: D | None = None
    cats: tuple[str, ...] = ()
    ledger_reg_on: D | None = None
    grad_on: D | None = None
    employed_on: D | None = None
    channel: str | None = None
    employer: str | None = None
    wish: str = ""
    needs: tuple[str, ...] = ()
    plan: str = ""
    plan_from_idx: int = 0
    phone2: str | None = None
    phone_change_idx: int = 99
    # registry facts
    reg_on: D | None = None
    reg_cancel: D | None = None
    reg_cancel_reason: str | None = None
    old_reg: tuple[D, D] | None = None
    disabled_on: D | None = None
    dibao: tuple[D, D | None] | None = None
    household: str | None = None
    poverty: bool = False
    graduate: bool = False
    school: str | None = None
    degree: str | None = None
    ui_payments: list[tuple[D, str, float]] = field(default_factory=list)
    relief_payments: list[tuple[D, str, float]] = field(default_factory=list)

    def phone_at(self, idx: int) -> str:
        return self.phone2 if (self.phone2 and idx >= self.phone_change_idx) else self.phone


@dataclass(slots=True)
class Post:
    post_id: str
    city: str
    employer: str
    uscc: str
    title: str
    category: str
    openings: int
    requirements: str
    salary_min: int
    salary_max: int
    published_on: D
    discriminatory: bool
    removed_on: D | None


@dataclass(slots=True)
class Event:
    event_id: str
    city: str
    name: str
    held_on: D
    form: str
    special: bool
    employers: int
    posts: int
    participants: int


class World:
    """Builds people, postings and events for every city."""

    def __init__(self, campaign: Campaign, seed: int, persons_per_city: int) -> None:
        self.c = campaign
        self.rng = random.Random(seed)
        self.k = persons_per_city
        self.counties = ids.shandong_counties()
        self.current = ids.current_counties()
        self._ids: set[str] = set()
        self._phones: set[str] = set()
        self.persons: dict[str, list[Person]] = {}
        self.registry_only: list[Person] = []
        self.posts: dict[str, list[Post]] = {}
        self.events: dict[str, list[Event]] = {}
        self._last_names = list(PersonProvider.last_names.keys())
        # Cumulative weights once: rng.choices would otherwise rebuild them per call.
        self._last_cum = list(itertools.accumulate(PersonProvider.last_names.values()))
        self._first_names = list(PersonProvider.first_names)
        self._company_prefixes = list(CompanyProvider.company_prefixes)
        self._company_suffixes = list(CompanyProvider.company_suffixes)
        self._jobs = [j for j in JobProvider.jobs if j != "其他"]

    # ------------------------------------------------------------------ basics
    def _name(self) -> str:
        r = self.rng
        if r.random() < 0.006:
            return "·".join(r.sample(MINORITY_PARTS, 2))
        last = r.choices(self._last_names, cum_weights=self._last_cum)[0]
        first = r.choice(self._first_names)
        if len(first) == 1 and r.random() < 0.6:  # Faker's list mixes 1- and 2-character names
            first += r.choice(self._first_names)
        return last + first

    def _phone(self) -> str:
        while True:
            p = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if p not in self._phones:
                self._phones.add(p)
                return p

    def _region(self, city: str) -> tuple[str, str]:
        """(region code of the ID, current county the person lives in). IDs keep the code they
        were issued with: other provinces, 莱芜 3712xx, counties renamed or merged since."""
        r = self.rng
        current = self.current[city]
        if r.random() < 0.03:
            return r.choice(OTHER_PROVINCE_REGIONS), r.choice(current)[1]
        if city == "370100" and r.random() < 0.1:  # born in 莱芜 before the merger
            return r.choice(self.counties["371200"])[0], r.choice(("莱芜区", "钢城区"))
        code, name = r.choice(self.counties[city])
        if (code, name) not in current:
            name = r.choice(current)[1]
        return code, name

    def company(self, city: str) -> str:
        short = terms.CITIES[city][:-1]
        return (
            short
            + self.rng.choice(self._company_prefixes)
            + self.rng.choice(self._company_suffixes)
        )

    def person(self, city: str, age_group: str) -> Person:
        r = self.rng
        male = r.random() < 0.52
        if age_group == "grad":
            age = r.randint(21, 26)
        elif age_group == "older":
            age = r.randint(50, 59) if male else r.randint(40, 49)
        else:
            age = r.randint(27, 49) if male else r.randint(27, 39)
        birth = self.c.start - dt.timedelta(days=age * 365 + r.randrange(365))
        region, district = self._region(city)
        while True:
            pid = ids.make_id(region, birth, r.randrange(500), male)
            if pid not in self._ids:
                self._ids.add(pid)
                break
        return Person(pid, self._name(), male, birth, self._phone(), city, district, region)

    # ------------------------------------------------------------------ ledger people
    def _ledger_life(self, p: Person) -> None:
        r, c = self.rng, self.c
        start, end = c.start, c.end
        if r.random() < 0.35:
            p.identified_on = rand_date(
                r, start - dt.timedelta(days=330), start - dt.timedelta(days=1)
            )
        else:
            p.identified_on = rand_date(r, start, end)
        ident = p.identified_on
        # Registration with the employment service (the registry's truth).
        if r.random() < 0.85:
            if r.random() < 0.45:
                lag = 365 if r.random() < 0.03 else r.randint(366, 1100)  # a few exactly 1 year
            else:
                lag = r.randint(15, 360)
            p.reg_on = ident - dt.timedelta(days=lag)
            if r.random() < 0.08:
                old = p.reg_on - dt.timedelta(days=r.randint(400, 900))
                p.old_reg = (old, p.reg_on - dt.timedelta(days=r.randint(30, 300)))
            x = r.random()
            if x < 0.8:
                p.ledger_reg_on = p.reg_on
            elif x < 0.88:  # the ledger claims an older registration than the registry shows
                p.ledger_reg_on = p.reg_on - dt.timedelta(days=r.randint(200, 500))
        elif r.random() < 0.4:
            p.ledger_reg_on = ident - dt.timedelta(days=r.randint(30, 800))
        age_at = (ident - p.birth).days // 365
        p.graduate = age_at <= 26 and r.random() < 0.9
        if p.graduate:
            p.grad_on = D(min(2022, p.birth.year + r.choice((22, 23))), 6, 30)
            if p.grad_on > D(2022, 6, 30):
                p.grad_on = D(2022, 6, 30)
            p.school, p.degree = r.choice(SCHOOLS), r.choice(DEGREES)
        if r.random() < 0.08:
            p.disabled_on = rand_date(r, D(2005, 1, 1), end)
        if r.random() < 0.12:
            ds = rand_date(r, D(2016, 1, 1), end - dt.timedelta(days=10))
            de = (
                rand_date(r, ds + dt.timedelta(days=30), end + dt.timedelta(days=200))
                if r.random() < 0.2
                else None
            )
            p.dibao = (ds, de if de is None or de <= end else None)
            p.household = f"DB{p.region}{r.randrange(10**7):07d}"
        p.poverty = r.random() < 0.06
        if p.poverty and not p.household:
            p.household = f"TP{p.region}{r.randrange(10**7):07d}"
        # Employment during (or just before) the campaign.
        x = r.random()
        if x < 0.38:
            e = rand_date(r, max(ident, start) + dt.timedelta(days=3), end + dt.timedelta(days=20))
            if e <= end:
                p.employed_on = e
        elif x < 0.41 and ident < start - dt.timedelta(days=2):
            p.employed_on = rand_date(r, ident + dt.timedelta(days=1), start - dt.timedelta(days=1))
        if p.employed_on:
            p.channel = r.choices(terms.EMPLOYMENT_CHANNELS, (50, 30, 12, 8))[0]
            if p.channel == terms.CHANNEL_PUBLIC_WELFARE:
                p.employer = p.district + r.choice(("街道办事处", "社区居委会", "城市管理局"))
            elif p.channel != terms.CHANNEL_FLEXIBLE:
                p.employer = self.company(p.home_city)
            if p.reg_on and r.random() < 0.7:
                cancel = p.employed_on + dt.timedelta(days=r.randint(0, 20))
                if cancel <= end:
                    p.reg_cancel, p.reg_cancel_reason = cancel, r.choice(CANCEL_REASONS[:3])
        p.wish = "求职就业" if p.employed_on else r.choice(terms.JOB_WISHES)
        p.needs = tuple(r.sample(terms.SERVICE_NEEDS, r.randint(1, 3)))
        if r.random() < 0.88:
            p.plan = r.choice(PLANS)
            p.plan_from_idx = r.choice((0, 0, 0, 1, 2))
        if r.random() < 0.05:
            p.phone2 = self._phone()
            p.phone_change_idx = r.randint(1, max(1, len(c.cutoffs) - 1))
        p.cats = self._categories(p)
        self._payments(p)

    def _categories(self, p: Person) -> tuple[str, ...]:
        """The categories a city writes on its ledger, from what the city believes."""
        r = self.rng
        ident = p.identified_on
        assert ident is not None
        cats: list[str] = []
        if (
            p.ledger_reg_on
            and (ident - p.ledger_reg_on).days >= self.c.thresholds.long_term_unemployed_days
        ):
            cats.append("长期失业人员")
        age = (ident - p.birth).days // 365
        th = self.c.thresholds
        if age >= (th.older_worker_age_male if p.male else th.older_worker_age_female):
            cats.append("大龄失业人员")
        if p.disabled_on:
            cats.append("残疾高校毕业生" if p.graduate else "残疾失业人员")
        if p.dibao:
            cats.append("低保家庭高校毕业生" if p.graduate else "低保家庭失业人员")
        if p.graduate and p.poverty:
            cats.append("脱贫家庭高校毕业生")
        if p.graduate and not cats:
            cats.append(r.choice(("较长时间未就业高校毕业生", "零就业家庭高校毕业生")))
        if r.random() < 0.03:  # a claim the registries will not support (数据比对)
            extra = r.choice(("残疾失业人员", "低保家庭失业人员", "长期失业人员"))
            if extra not in cats:
                cats.append(extra)
        return tuple(cats) or ("其他就业困难人员",)

    def _payments(self, p: Person) -> None:
        r, end = self.rng, self.c.end
        if p.reg_on and r.random() < 0.3:
            first = max(p.reg_on + dt.timedelta(days=30), D(2022, 5, 1))
            last = min(p.reg_cancel or end, p.reg_on + dt.timedelta(days=730), end)
            kind = r.choice(terms.UI_BENEFIT_TYPES)
            amount = 1836.0 if kind == "失业保险金" else 918.0
            m = D(first.year, first.month, 1)
            while True:
                pay = m.replace(day=r.randint(8, 20))
                if pay > last:
                    break
                if pay >= first:
                    p.ui_payments.append((pay, kind, amount))
                m = D(m.year + (m.month == 12), m.month % 12 + 1, 1)
        if r.random() < 0.09:
            for _ in range(r.randint(1, 3)):
                when = rand_date(r, D(2022, 6, 1), end)
                amount = r.choice((500.0, 800.0, 1000.0, 1200.0, 1500.0, 2000.0))
                if r.random() < 0.3:
                    amount = round(r.uniform(300, 3000), 2)
                p.relief_payments.append((when, r.choice(RELIEF_TYPES), amount))

    def _registry_only(self, city: str, qualifies: bool) -> Person:
        """People the registries know and no ledger lists; some should be found (发现一人)."""
        r, start = self.rng, self.c.start
        kind = (
            r.choice(("long", "disabled", "dibao", "poverty", "grad"))
            if qualifies
            else r.choice(("recent", "disabled_only", "cancelled"))
        )
        p = self.person(city, "grad" if kind == "grad" else r.choice(("older", "middle")))
        p.role = "find_one" if qualifies else "registry_other"
        if kind == "long":
            p.reg_on = start - dt.timedelta(days=r.randint(400, 1200))
        elif kind in ("disabled", "dibao", "poverty"):
            p.reg_on = start - dt.timedelta(days=r.randint(20, 300))
            if kind == "disabled":
                p.disabled_on = rand_date(r, D(2008, 1, 1), D(2021, 12, 31))
            else:
                low_income_household(p, r, dibao=kind == "dibao")
        elif kind == "grad":
            p.graduate, p.grad_on = True, D(2022, 6, 30)
            p.school, p.degree = r.choice(SCHOOLS), r.choice(DEGREES)
            low_income_household(p, r, dibao=r.random() < 0.5)
        elif kind == "recent":
            p.reg_on = rand_date(r, D(2022, 6, 1), self.c.end)
        elif kind == "disabled_only":
            p.disabled_on = rand_date(r, D(2008, 1, 1), D(2021, 12, 31))
        else:
            p.reg_on = start - dt.timedelta(days=r.randint(400, 900))
            p.reg_cancel, p.reg_cancel_reason = (
                p.reg_on + dt.timedelta(days=r.randint(30, 200)),
                "已就业",
            )
        return p

    # ------------------------------------------------------------------ postings, events
    def _posts(self, city: str, n: int) -> list[Post]:
        r, start, end = self.rng, self.c.start, self.c.end
        out = []
        for i in range(n):
            published = (
                rand_date(r, start - dt.timedelta(days=30), start - dt.timedelta(days=1))
                if r.random() < 0.1
                else rand_date(r, start, end)
            )
            discriminatory = r.random() < 0.08
            reqs = r.sample(FAIR_REQUIREMENTS, r.randint(1, 3))
            if discriminatory or r.random() < 0.02:  # a few slip through unflagged
                reqs.insert(r.randrange(len(reqs) + 1), r.choice(DISCRIMINATORY_REQUIREMENTS))
            removed = None
            if discriminatory:
                removed = published + dt.timedelta(days=r.randint(1, 10))
            region = r.choice(self.current[city])[0]
            smin = r.choice((2000, 2500, 3000, 3500, 4000, 4500, 5000))
            title = r.choice(self._jobs) if r.random() < 0.5 else r.choice(EXTRA_TITLES)
            out.append(
                Post(
                    f"GW{city}{i + 1:05d}",
                    city,
                    self.company(city),
                    ids.make_uscc(region, r),
                    title,
                    r.choice(terms.JOB_CATEGORIES),
                    r.randint(1, 20),
                    "；".join(reqs),
                    smin,
                    smin + r.choice((500, 1000, 1500, 2000, 3000)),
                    published,
                    discriminatory,
                    removed,
                )
            )
        return out

    def _events(self, city: str) -> list[Event]:
        r, c = self.rng, self.c
        out: list[Event] = []
        name = terms.CITIES[city]
        block = c.thresholds.special_event_block_days
        day = c.start - dt.timedelta(days=10)  # one event before the window: must not count
        n = 0
        skip_block = r.random() < 0.3  # some cities miss a fortnight (the cadence target)
        while day <= c.end:
            blk = (day - c.start).days // block if day >= c.start else -1
            specials = 0 if (skip_block and blk == 2) else r.choice((1, 1, 2))
            for _ in range(specials):
                n += 1
                held = rand_date(r, day, min(day + dt.timedelta(days=block - 1), c.end))
                form = r.choice(terms.EVENT_FORMS)
                out.append(
                    Event(
                        f"HD{city}{n:04d}",
                        city,
                        f"{name}就业援助专场招聘会（第{n}场）",
                        held,
                        form,
                        True,
                        r.randint(10, 80),
                        r.randint(50, 600),
                        r.randint(80, 900),
                    )
                )
            for _ in range(r.choice((0, 1, 2))):
                n += 1
                held = rand_date(r, day, min(day + dt.timedelta(days=block - 1), c.end))
                out.append(
                    Event(
                        f"HD{city}{n:04d}",
                        city,
                        f"{name}综合招聘会",
                        held,
                        r.choice(terms.EVENT_FORMS),
                        False,
                        r.randint(10, 150),
                        r.randint(50, 2000),
                        r.randint(100, 3000),
                    )
                )
            day += dt.timedelta(days=block)
        return out

    # ------------------------------------------------------------------ all of it
    def build(self, progress=print) -> None:
        r = self.rng
        for city in terms.CITIES:
            people = []
            for _ in range(self.k):
                x = r.random()
                p = self.person(city, "grad" if x < 0.15 else "older" if x < 0.5 else "middle")
                self._ledger_life(p)
                people.append(p)
            self.persons[city] = people
            n_only = max(3, self.k // 25)
            for j in range(n_only):
                self.registry_only.append(
                    self._registry_only(city, qualifies=j < 0.6 * n_only or j == 0)
                )
            self.posts[city] = self._posts(city, max(15, self.k // 12))
            self.events[city] = self._events(city)
        progress(
            f"world: {sum(len(v) for v in self.persons.values())} ledger people, "
            f"{len(self.registry_only)} registry-only people"
        )

    def all_people(self) -> list[Person]:
        return [p for v in self.persons.values() for p in v] + self.registry_only


# ---------------------------------------------------------------------- columnar views
PERSON_SCHEMA = {
    "pid": pl.String,
    "name": pl.String,
    "male": pl.Boolean,
    "phone": pl.String,
    "phone2": pl.String,
    "phone_change_idx": pl.Int64,
    "district": pl.String,
    "region": pl.String,
    "home_city": pl.String,
    "role": pl.String,
    "identified_on": pl.Date,
    "cats": pl.List(pl.String),
    "needs": pl.List(pl.String),
    "ledger_reg_on": pl.Date,
    "grad_on": pl.Date,
    "employed_on": pl.Date,
    "channel": pl.String,
    "employer": pl.String,
    "wish": pl.String,
    "plan": pl.String,
    "plan_from_idx": pl.Int64,
}


def persons_frame(people: list[Person]) -> pl.DataFrame:
    """The ledger-facing attributes of `people`, one row each, in order."""
    cols: dict[str, list] = {k: [] for k in PERSON_SCHEMA}
    for p in people:
        for k in cols:
            v = getattr(p, k)
            cols[k].append(list(v) if k in ("cats", "needs") else v)
    return pl.DataFrame(cols, schema=PERSON_SCHEMA)


def random_names(world: World, rng: np.random.Generator, n: int) -> pl.Series:
    """`n` names drawn as World._name draws them (surname by frequency), vectorised."""
    last = pl.Series(world._last_names, dtype=pl.String)
    cum = np.array(world._last_cum, dtype=float)
    first = pl.Series(world._first_names, dtype=pl.String)
    sur = last.gather(np.searchsorted(cum, rng.random(n) * cum[-1], side="right"))
    given = first.gather(rng.integers(0, len(first), n))
    extra = first.gather(rng.integers(0, len(first), n))
    single = (given.str.len_chars() == 1) & pl.Series(rng.random(n) < 0.6)
    return sur + given + extra.zip_with(single, pl.Series([""] * n, dtype=pl.String))
