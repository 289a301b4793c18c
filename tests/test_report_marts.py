"""The report and campaign-target marts on a hand-built raw layer with hand-computed figures.

Cases (济南 370100 unless said otherwise; T1 = 08-15, T2 = 08-30, campaign from 08-01):
  A  woman born 1975 (大龄), claims 残疾失业人员 without a certificate, 低保, employed
     08-10 企业吸纳 (低保渐退 candidate), 1 referral, visits: one before the start, one
     sent twice, a second method on the same day, one sent by 青岛 (not counted).
  B  man born 1990, registered unemployed 2020 (long-term), disabled, 低保, 3 distinct
     referrals plus a repeat, a visit, three relief payments (one before the window, one
     after T1), the first in-window one sent in two registry files.
  C  identified 08-20: a target at T2, not T1; visited 08-10; a referral sent at T2.
  D  employed 2022-07-01 (before the campaign): not employed in the window; the
     3-referral target does not apply.
  G  未就业, nothing else, paid relief 08-11: eligible and paid.
  H  未就业, a 失业保险 payment 08-05: not eligible for relief.
  F  on 济南's and 青岛's ledgers at T1; 青岛's arrived later, so F is 青岛's.
  E  青岛's own target.
  K  registered unemployed since 2020 in 淄博, on no ledger: 发现一人.
  L  unemployed graduate, 脱贫, 青岛, on no ledger: 发现一人.
德州 (371400) holds its only 专场 on 08-15, the first day of the second 14-day block.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest

from pipelines import terms
from tools.fixtures.ids import make_id
from tools.fixtures.raw_builder import RawBuilder, run_dbt

T1, T2 = "2022-08-15", "2022-08-30"
JINAN, QINGDAO, ZIBO = "370100", "370200", "370300"
D = dt.date.fromisoformat


A = make_id("1975-05-05", 1, False)
B = make_id("1990-01-01", 2, True)
C = make_id("1985-03-03", 3, True)
DD = make_id("1980-04-04", 4, True)
G = make_id("1992-06-06", 5, False)
H = make_id("1993-07-07", 6, True)
F = make_id("1988-08-08", 7, False)
E = make_id("1989-09-09", 8, True)
K = make_id("1970-10-10", 9, True)
L = make_id("2000-11-11", 10, False)
# 烟台: R claims four categories no registry supports, S one that 低保 supports.
R = make_id("1990-12-12", 11, True)
S = make_id("1991-12-12", 12, False)
# On no ledger, one per 发现一人 reason (M N OO P), and an employed graduate (Q) who is not one.
M = make_id("1985-01-15", 13, True)
N = make_id("1985-02-15", 14, True)
OO = make_id("1985-03-15", 15, True)
P = make_id("2000-04-15", 16, False)
Q = make_id("2000-05-15", 17, True)
YANTAI, WEIFANG, JINING, TAIAN, WEIHAI, RIZHAO = (
    "370600",
    "370700",
    "370800",
    "370900",
    "371000",
    "371100",
)
BINZHOU = "371600"
DEZHOU = "371400"


def person(name: str, id_number: str, **kw: object) -> dict:
    row: dict = {
        "name": name,
        "id_number": id_number,
        "phone": None,
        "categories": ["其他就业困难人员"],
        "identified_on": D("2022-08-01"),
        "employment_status": "未就业",
    }
    row.update(kw)
    return row


def build_raw(raw: RawBuilder) -> None:
    ledger_jinan = [
        person(
            "甲",
            A,
            categories=["残疾失业人员", "大龄失业人员"],
            employment_status="已就业",
            employed_on=D("2022-08-10"),
            employment_channel="企业吸纳",
            assistance_plan="推荐岗位",
        ),
        person("乙", B, categories=["长期失业人员"]),
        person("丙", C, identified_on=D("2022-08-20")),
        person(
            "丁",
            DD,
            employment_status="已就业",
            employed_on=D("2022-07-01"),
            employment_channel="灵活就业",
        ),
        person("戊", G),
        person("己", H),
        person("庚", F),
    ]
    raw.add_file("ledger", ledger_jinan, city=JINAN, cutoff=T1, received_at="2022-08-14 09:00:00")
    raw.add_file(
        "ledger",
        [person("庚", F), person("辛", E)],
        city=QINGDAO,
        cutoff=T1,
        received_at="2022-08-15 10:00:00",
    )
    visits_t1 = [
        {"id_number": A, "visited_on": D("2022-07-30"), "visit_method": "入户走访"},
        {"id_number": A, "visited_on": D("2022-08-05"), "visit_method": "入户走访"},
        {"id_number": A, "visited_on": D("2022-08-05"), "visit_method": "入户走访"},
        {"id_number": A, "visited_on": D("2022-08-05"), "visit_method": "电话联系"},
        {"id_number": B, "visited_on": D("2022-08-10"), "visit_method": "入户走访"},
        {"id_number": C, "visited_on": D("2022-08-10"), "visit_method": "电话联系"},
    ]
    raw.add_file("visits", visits_t1, city=JINAN, cutoff=T1)
    raw.add_file("visits", visits_t1, city=JINAN, cutoff=T2)  # resent: nothing new
    raw.add_file(
        "visits",
        [{"id_number": A, "visited_on": D("2022-08-06"), "visit_method": "入户走访"}],
        city=QINGDAO,
        cutoff=T1,
    )
    raw.add_file(
        "referrals",
        [
            {"id_number": B, "post_id": "P1", "referred_on": D("2022-08-02")},
            {"id_number": B, "post_id": "P2", "referred_on": D("2022-08-03")},
            {"id_number": B, "post_id": "P3", "referred_on": D("2022-08-04")},
            {"id_number": B, "post_id": "P1", "referred_on": D("2022-08-09")},
            {"id_number": A, "post_id": "P1", "referred_on": D("2022-08-02")},
        ],
        city=JINAN,
        cutoff=T1,
    )
    raw.add_file(
        "referrals",
        [{"id_number": C, "post_id": "P2", "referred_on": D("2022-08-20")}],
        city=JINAN,
        cutoff=T2,
    )

    def post(pid: str, published: str, **kw: object) -> dict:
        return {
            "post_id": pid,
            "employer": "某公司",
            "title": "普工",
            "openings": 1,
            "published_on": D(published),
            "is_discriminatory": "否",
            **kw,
        }

    raw.add_file(
        "job_posts",
        [
            post("J1", "2022-08-02", requirements="男女不限"),
            post("J2", "2022-07-20"),
            post(
                "J3",
                "2022-07-01",
                requirements="限男性",
                is_discriminatory="是",
                removed_on=D("2022-08-10"),
            ),
            post("J4", "2022-08-03", requirements="35岁以下"),
        ],
        city=JINAN,
        cutoff=T1,
    )

    def event(eid: str, held: str, form: str, special: str) -> dict:
        return {"event_id": eid, "held_on": D(held), "event_form": form, "is_special": special}

    raw.add_file(
        "events",
        [
            event("E1", "2022-08-05", "现场招聘会", "是"),
            event("E2", "2022-08-12", "直播带岗", "是"),
            event("E3", "2022-08-06", "现场招聘会", "否"),
        ],
        city=JINAN,
        cutoff=T1,
    )
    raw.add_file("events", [event("E4", "2022-08-20", "现场招聘会", "是")], city=JINAN, cutoff=T2)

    def pay(pid: str, who: str, paid: str, amount: float) -> dict:
        return {
            "payment_id": pid,
            "id_number": who,
            "city_code": JINAN,
            "relief_type": "临时救助",
            "paid_on": D(paid),
            "amount_yuan": amount,
        }

    relief = [
        pay("R1", B, "2022-08-03", 500.5),
        pay("R2", B, "2022-07-15", 99.0),
        pay("R3", A, "2022-08-09", 300.25),
        pay("R4", G, "2022-08-11", 100.0),
        pay("R5", B, "2022-08-20", 200.0),  # after T1: counts from T2 on
    ]
    raw.add_file("reg_temp_relief", relief)
    raw.add_file("reg_temp_relief", relief[:1])  # the same 流水号 in a second extract
    raw.add_file(
        "reg_ui_benefits",
        [
            {
                "payment_id": "U1",
                "id_number": H,
                "city_code": JINAN,
                "benefit_type": "失业保险金",
                "paid_on": D("2022-08-05"),
                "amount_yuan": 1500.0,
            }
        ],
    )
    raw.add_file(
        "ledger",
        [
            person(
                "壬",
                R,
                categories=[
                    "长期失业人员",
                    "大龄失业人员",
                    "低保家庭失业人员",
                    "脱贫家庭高校毕业生",
                ],
            ),
            person("癸", S, categories=["低保家庭失业人员"]),
        ],
        city=YANTAI,
        cutoff=T1,
    )
    raw.add_file(
        "reg_unemployment_registration",
        [
            {"id_number": B, "city_code": JINAN, "registered_on": D("2020-01-01")},
            {"id_number": K, "city_code": ZIBO, "registered_on": D("2020-01-01")},
            {"id_number": M, "city_code": YANTAI, "registered_on": D("2022-06-01")},
            {"id_number": N, "city_code": JINING, "registered_on": D("2022-06-01")},
            {"id_number": OO, "city_code": TAIAN, "registered_on": D("2022-06-01")},
        ],
    )
    raw.add_file(
        "reg_disability",
        [
            {
                "id_number": B,
                "city_code": JINAN,
                "disability_type": "肢体",
                "certified_on": D("2021-01-01"),
            },
            # M's certificate is in 潍坊's registry: the registration's city (烟台) names the candidate.
            {
                "id_number": M,
                "city_code": WEIFANG,
                "disability_type": "肢体",
                "certified_on": D("2022-01-01"),
            },
        ],
    )
    raw.add_file(
        "reg_dibao",
        [
            {
                "id_number": B,
                "household_id": "H1",
                "city_code": JINAN,
                "dibao_type": "城市低保",
                "started_on": D("2021-01-01"),
            },
            {
                "id_number": A,
                "household_id": "H2",
                "city_code": JINAN,
                "dibao_type": "城市低保",
                "started_on": D("2022-01-01"),
                "ended_on": D("2022-08-03"),
            },
            {
                "id_number": S,
                "household_id": "H3",
                "city_code": YANTAI,
                "dibao_type": "城市低保",
                "started_on": D("2022-01-01"),
            },
            {
                "id_number": N,
                "household_id": "H4",
                "city_code": JINING,
                "dibao_type": "城市低保",
                "started_on": D("2022-01-01"),
            },
            # P's 低保 record is in 日照; P's graduate record (威海) comes first in the city rule.
            {
                "id_number": P,
                "household_id": "H5",
                "city_code": RIZHAO,
                "dibao_type": "城市低保",
                "started_on": D("2022-01-01"),
            },
        ],
    )
    raw.add_file(
        "reg_graduates",
        [
            {
                "id_number": L,
                "city_code": QINGDAO,
                "school": "某大学",
                "degree": "本科",
                "employment_status": "未就业",
            },
            {
                "id_number": P,
                "city_code": WEIHAI,
                "school": "某大学",
                "degree": "本科",
                "employment_status": "未就业",
            },
            {
                "id_number": Q,
                "city_code": WEIHAI,
                "school": "某大学",
                "degree": "本科",
                "employment_status": "已就业",
            },
        ],
    )
    raw.add_file(
        "reg_poverty_alleviated",
        [
            {"id_number": L, "household_id": "P9", "city_code": QINGDAO},
            {"id_number": OO, "household_id": "P8", "city_code": TAIAN},
            {"id_number": Q, "household_id": "P7", "city_code": WEIHAI},
        ],
    )
    # 滨州 sends its events on time, then a correction after the cut-off day: the correction
    # is the current file, so the slot is late (completeness is judged on current files).
    late_events = [event("E9", "2022-08-10", "现场招聘会", "否")]
    raw.add_file("events", late_events, city=BINZHOU, cutoff=T1, received_at="2022-08-15 10:00:00")
    raw.add_file("events", late_events, city=BINZHOU, cutoff=T1, received_at="2022-08-17 09:00:00")
    # 德州's only 专场 is on 08-15: the first day of the second 14-day block, not the last
    # of the first.
    raw.add_file("events", [event("E8", "2022-08-15", "直播带岗", "是")], city=DEZHOU, cutoff=T1)
    stats = {f.name: 0 for f in terms.FIGURES}
    stats.update(unit="济南市", targets_identified=7)
    raw.add_file("city_stats", [stats], city=JINAN, cutoff=T1)


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("report") / "warehouse.duckdb"
    raw = RawBuilder(path)
    build_raw(raw)
    raw.close()
    # @: the marts, everything built on them, and everything those read (the feedback models
    # read the restricted quarantine too).
    result = run_dbt(
        path,
        select="@rpt_campaign_stats @rpt_city_targets @rpt_data_comparison +rpt_job_pool "
        "+rpt_campaign_supplement +rpt_city_rankings @rpt_discovery_candidates "
        "@fct_job_post_discrimination_flags @rpt_reporting_completeness",
    )
    assert result.returncode == 0, result.stdout[-5000:]
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def stats(con, cutoff: str, city: str) -> dict:
    cur = con.execute(
        "select * from marts.rpt_campaign_stats where cutoff_date = ? and city_code = ?",
        [cutoff, city],
    )
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


def test_columns_are_terms_figures_in_order(con) -> None:
    cols = [r[0] for r in con.execute("describe marts.rpt_campaign_stats").fetchall()]
    assert cols == ["cutoff_date", "city_code", "city_name", *terms.FIGURE_NAMES]


def test_every_city_and_province_every_cutoff(con) -> None:
    n = con.execute("select count(*) from marts.rpt_campaign_stats").fetchone()[0]
    cutoffs = con.execute("select count(*) from raw.campaign_cutoffs").fetchone()[0]
    assert n == cutoffs * (len(terms.CITIES) + 1)
    assert stats(con, T1, "371700")["targets_identified"] == 0
    assert stats(con, T1, terms.PROVINCE_CODE)["city_name"] == terms.PROVINCE_NAME


def test_jinan_at_t1(con) -> None:
    s = stats(con, T1, JINAN)
    expected = dict(
        targets_identified=5,  # A B D G H (C identified later, F belongs to 青岛)
        long_term_unemployed=1,
        older_workers=1,
        disabled=1,
        dibao_members=2,
        visits=3,  # A 08-05 入户 (sent twice), A 08-05 电话, B 08-10
        job_posts_collected=2,  # J1, J4
        special_recruitment_events=2,
        onsite_job_fairs=1,
        jobs_pushed=4,  # B: P1 P2 P3, A: P1
        employed=1,
        employed_by_enterprise=1,
        employed_flexibly=0,
        employed_public_welfare=0,
        discriminatory_posts_removed=1,
        temp_relief_payments=3,
        temp_relief_amount_yuan=900.75,
    )
    assert {k: s[k] for k in expected} == expected
    assert stats(con, T1, QINGDAO)["targets_identified"] == 2
    assert stats(con, T1, QINGDAO)["visits"] == 0  # 青岛 visited 济南's target


def test_jinan_at_t2_carries_the_ledger_forward(con) -> None:
    s = stats(con, T2, JINAN)
    assert s["targets_identified"] == 6  # C now identified
    assert s["visits"] == 4  # + C's visit of 08-10, known since T1
    assert s["jobs_pushed"] == 5  # + C's referral sent at T2
    assert s["special_recruitment_events"] == 3 and s["onsite_job_fairs"] == 2
    # + R5 of 08-20, paid after T1 and so not in T1's figures.
    assert (s["temp_relief_payments"], s["temp_relief_amount_yuan"]) == (4, 1100.75)


def test_province_row_sums_cities(con) -> None:
    for cutoff in (T1, T2):
        p = stats(con, cutoff, terms.PROVINCE_CODE)
        sums = con.execute(
            "select "
            + ", ".join(f"sum({f})" for f in terms.FIGURE_NAMES)
            + " from marts.rpt_campaign_stats where cutoff_date = ? and city_code <> '370000'",
            [cutoff],
        ).fetchone()
        assert [p[f] for f in terms.FIGURE_NAMES] == pytest.approx(list(sums))
    assert (
        stats(con, T1, terms.PROVINCE_CODE)["targets_identified"] == 9
    )  # 济南 5, 青岛 E F, 烟台 R S


def test_target_progress(con) -> None:
    rows = con.execute(
        """select p.referrals_in_window, p.is_referral_target_met, p.is_relief_eligible,
                  p.is_relief_paid, p.is_dibao_phaseout_candidate, p.is_visited, p.has_plan
           from marts.fct_target_progress p
           join intermediate.int_persons using (person_key)
           where p.cutoff_date = ? and person_id = ?""",
        [T1, B],
    ).fetchone()
    assert rows == (3, True, False, True, False, True, False)
    a = con.execute(
        """select referrals_in_window, is_referral_target_met, is_dibao_phaseout_candidate,
                              has_plan, employment_channel
                       from marts.fct_target_progress join intermediate.int_persons using (person_key)
                       where cutoff_date = ? and person_id = ?""",
        [T1, A],
    ).fetchone()
    assert a == (1, False, True, True, "企业吸纳")
    d = con.execute(
        """select is_referral_target_applicable, is_referral_target_met
                       from marts.fct_target_progress join intermediate.int_persons using (person_key)
                       where cutoff_date = ? and person_id = ?""",
        [T1, DD],
    ).fetchone()
    assert d == (False, None)


def test_city_targets(con) -> None:
    cur = con.execute(
        "select * from marts.rpt_city_targets where cutoff_date = ? and city_code = ?", [T1, JINAN]
    )
    r = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    assert r["targets"] == 5
    assert (r["referral_targets"], r["referral_targets_met"]) == (4, 1)  # D excluded, only B met
    assert (r["relief_eligible"], r["relief_eligible_paid"], r["relief_coverage_rate"]) == (
        1,
        1,
        1.0,
    )
    # Blocks from 08-01: [08-01, 08-14] complete (E1, E2), [08-15, 08-28] partial, nothing yet.
    assert (r["event_blocks_started"], r["event_blocks_complete"], r["event_blocks_met"]) == (
        2,
        1,
        1,
    )
    assert (r["event_blocks_missed"], r["event_blocks_due"], r["event_cadence_rate"]) == (0, 1, 1.0)
    assert r["dibao_phaseout_candidates"] == 1


def test_special_event_blocks_are_consecutive_14_day_blocks_from_the_campaign_start(con) -> None:
    cur = con.execute(
        "select * from marts.rpt_city_targets where cutoff_date = ? and city_code = ?", [T1, DEZHOU]
    )
    r = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    # [08-01, 08-14] complete without a 专场 (missed); [08-15, 08-28] started and met on 08-15.
    blocks = ("started", "complete", "met", "missed", "due")
    assert {k: r[f"event_blocks_{k}"] for k in blocks} == dict(
        started=2, complete=1, met=1, missed=1, due=2
    )
    assert r["event_cadence_rate"] == 0.5


def test_a_referral_sent_twice_keeps_its_earliest_date(con) -> None:
    # B's referral to P1 was sent dated 08-02 and again dated 08-09: one referral, of 08-02.
    rows = con.execute(
        "select referred_on, copies_received from intermediate.int_referrals "
        "where person_id = ? and city_code = ? and post_id = 'P1'",
        [B, JINAN],
    ).fetchall()
    assert rows == [(D("2022-08-02"), 2)]


def test_discovery(con) -> None:
    rows = con.execute(
        "select person_id, city_code, reasons from restricted.restricted_discovery_candidates "
        "where cutoff_date = ? order by person_id",
        [T1],
    ).fetchall()
    assert sorted(rows) == sorted(
        [
            (K, ZIBO, ["long_term_registered_unemployed"]),
            (L, QINGDAO, ["unemployed_graduate_poverty_family"]),
            (M, YANTAI, ["registered_unemployed_disabled"]),
            (N, JINING, ["registered_unemployed_dibao"]),
            (OO, TAIAN, ["registered_unemployed_poverty_alleviated"]),
            (P, WEIHAI, ["unemployed_graduate_dibao_family"]),
        ]
    )  # Q: a graduate marked 已就业 is no candidate; R S are on a ledger
    n = con.execute(
        "select candidates from marts.rpt_discovery_candidates where cutoff_date = ? "
        "and city_code = ? and reason = 'any'",
        [T1, ZIBO],
    ).fetchone()[0]
    assert n == 1


def test_data_comparison(con) -> None:
    rows = con.execute(
        "select check_type, subject, detail, computed_value, reported_value, diff "
        "from marts.rpt_data_comparison where cutoff_date = ? and city_code = ?",
        [T1, JINAN],
    ).fetchall()
    kinds = {r[0] for r in rows}
    assert kinds == {
        "category_unsupported",
        "multi_city_claim",
        "figure_difference",
        "discrimination_unmarked",
    }
    unsupported = [r[2] for r in rows if r[0] == "category_unsupported"]
    assert len(unsupported) == 1 and unsupported[0].startswith("残疾失业人员")  # A: 大龄 is right
    claim = [r for r in rows if r[0] == "multi_city_claim"]
    assert len(claim) == 1 and claim[0][3] == 0.0 and "370200" in claim[0][2]
    targets = [r for r in rows if r[0] == "figure_difference" and r[1] == "targets_identified"][0]
    assert targets[3:] == (5.0, 7.0, 2.0)
    assert len([r for r in rows if r[0] == "figure_difference"]) == len(terms.FIGURES)
    assert [r[1] for r in rows if r[0] == "discrimination_unmarked"] == ["J4"]
    # Pseudonymous: no ID number appears anywhere in the analysts' mart.
    ids = {A, B, C, DD, F, G, H}
    assert not ids & {r[1] for r in rows}


def test_discrimination_flags(con) -> None:
    rows = con.execute(
        "select post_id, rule_id, is_marked_discriminatory "
        "from marts.fct_job_post_discrimination_flags order by post_id"
    ).fetchall()
    assert rows == [("J3", "GEN01", True), ("J4", "AGE01", False)]


def test_category_claims_no_registry_supports_are_listed_for_every_category(con) -> None:
    rows = con.execute(
        "select subject, detail, computed_value, reported_value from marts.rpt_data_comparison "
        "where cutoff_date = ? and city_code = ? and check_type = 'category_unsupported'",
        [T1, YANTAI],
    ).fetchall()
    r_key, s_key = (
        con.execute(
            "select person_key from intermediate.int_persons where person_id = ?", [x]
        ).fetchone()[0]
        for x in (R, S)
    )
    assert {r[0] for r in rows} == {r_key}  # S's 低保 claim is supported by the registry
    assert sorted(r[1].split(":")[0] for r in rows) == sorted(
        ["长期失业人员", "大龄失业人员", "低保家庭失业人员", "脱贫家庭高校毕业生"]
    )
    assert {(r[2], r[3]) for r in rows} == {(0.0, 1.0)}


def test_rates_are_null_when_nobody_is_in_the_denominator(con) -> None:
    cur = con.execute(
        "select * from marts.rpt_city_targets where cutoff_date = ? and city_code = '371700'", [T1]
    )
    r = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
    assert r["targets"] == r["referral_targets"] == r["relief_eligible"] == 0
    # Rates over people (the event cadence is over 14-day blocks, which every city has).
    rates = {
        k: r[k]
        for k in (
            "referral_coverage_rate",
            "visit_rate",
            "plan_rate",
            "employment_rate",
            "relief_coverage_rate",
        )
    }
    assert set(rates.values()) == {None}, rates


def test_completeness_is_judged_on_current_files_and_a_carried_ledger_is_not_received(con) -> None:
    def slot(cutoff: str, city: str, table: str) -> tuple:
        return con.execute(
            "select received, on_time, late, uploads, is_carried_forward from marts.rpt_reporting_completeness "
            "where cutoff_date = ? and city_code = ? and table_type = ?",
            [cutoff, city, table],
        ).fetchone()

    assert slot(T1, BINZHOU, "events") == (
        1,
        0,
        1,
        2,
        False,
    )  # on time first, late correction counts
    assert slot(T1, JINAN, "ledger") == (1, 1, 0, 1, False)
    assert slot(T2, JINAN, "ledger") == (0, 0, 0, 0, True)  # carried forward, still not received
    assert slot(T2, ZIBO, "ledger") == (0, 0, 0, 0, False)  # 淄博 never sent one
