"""Contract §8 on a hand-built raw layer with hand-computed figures: rpt_campaign_supplement
and rpt_job_pool, and the credit-code check agreeing with python-stdnum.

济南 (370100), T1 = 08-15, T2 = 08-30, campaign from 08-01.
Ledger T1: A 已就业 08-10 at "暖心 援助基地" (registered 06-01: 70 days), B 已就业 08-12 at
  某某公司 (registered 08-01: 11 days), C graduate category + graduates registry 未就业,
  G graduate category but 已就业 in the registry, E graduate category, not in the registry.
Ledger T2: A now 未就业 (fell back), B, C, G, E as before, F 已就业 08-20 at 济南暖心公司
  (the base's 运营单位; registered 08-01: 19 days).
Bases (T1 folder only, carried to T2): B1 就业援助基地 暖心援助基地 (08-01), B2 职业培训基地
  (08-20, after T1, invalid code), B3 就业见习基地 (07-01, invalid code).
Pairings (T1 folder only): P1 cadre → C active; P2 cadre → E ended 08-15 (not active at
  08-15); P3 enterprise 08-01 invalid code; P4 enterprise from 08-20; P5 cadre whose ID
  has a typo (quarantined, counts nowhere).
Postings: J1 爱心岗位 3 openings 08-02 invalid code; J2 no category 2 openings 08-03; J3
  爱心岗位 07-01 (before the window); J4 见习岗位 4 openings 08-20 (T2 folder).
青岛 (370200): Q 已就业 08-05, registry registration 07-01 (35 days).
淄博 (370300): 200 postings published before the window with random credit codes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import duckdb
import pytest
from stdnum.cn import uscc

from pipelines import terms
from pipelines.checks.uscc import uscc_is_invalid
from tests.test_report_marts import JINAN, QINGDAO, T1, T2, ZIBO, D, make_id, person
from tools.fixtures.raw_builder import RawBuilder, run_dbt

A = make_id("1975-05-05", 21, False)
B = make_id("1990-01-01", 22, True)
C = make_id("2000-03-03", 23, True)
G = make_id("2000-04-04", 24, True)
E = make_id("2000-05-05", 25, False)
F = make_id("1985-06-06", 26, True)
Q = make_id("1986-07-07", 27, False)
P5_TYPO = C[:5] + str((int(C[5]) + 1) % 10) + C[6:]


def valid_code(body: str) -> str:
    return body + uscc.calc_check_digit(body)


GOOD = valid_code("91370100MA3C00001")
BAD = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")
GRAD = "低保家庭高校毕业生"


def build(raw: RawBuilder) -> list[str]:
    emp = {"employment_status": "已就业", "employment_channel": "企业吸纳"}
    a_employed = person(
        "甲",
        A,
        **emp,
        employed_on=D("2022-08-10"),
        employer="暖心 援助基地",
        unemployment_registered_on=D("2022-06-01"),
    )
    b = person(
        "乙",
        B,
        **emp,
        employed_on=D("2022-08-12"),
        employer="某某公司",
        unemployment_registered_on=D("2022-08-01"),
    )
    grads = [
        person("丙", C, categories=[GRAD]),
        person("庚", G, categories=[GRAD]),
        person("戊", E, categories=[GRAD]),
    ]
    raw.add_file("ledger", [a_employed, b, *grads], city=JINAN, cutoff=T1)
    f = person(
        "己",
        F,
        **emp,
        employed_on=D("2022-08-20"),
        employer="济南暖心公司",
        unemployment_registered_on=D("2022-08-01"),
    )
    raw.add_file("ledger", [person("甲", A), b, *grads, f], city=JINAN, cutoff=T2)
    raw.add_file(
        "ledger", [person("青", Q, **emp, employed_on=D("2022-08-05"))], city=QINGDAO, cutoff=T1
    )
    raw.add_file(
        "reg_unemployment_registration",
        [{"id_number": Q, "city_code": QINGDAO, "registered_on": D("2022-07-01")}],
    )
    raw.add_file(
        "reg_graduates",
        [
            {
                "id_number": C,
                "city_code": JINAN,
                "school": "某大学",
                "degree": "本科",
                "employment_status": "未就业",
            },
            {
                "id_number": G,
                "city_code": JINAN,
                "school": "某大学",
                "degree": "本科",
                "employment_status": "已就业",
            },
        ],
    )

    def base(bid: str, name: str, kind: str, on: str, code: str) -> dict:
        return {
            "base_id": bid,
            "base_name": name,
            "base_type": kind,
            "operator": "济南暖心公司",
            "operator_uscc": code,
            "recognised_on": D(on),
        }

    raw.add_file(
        "bases",
        [
            base("B1", "暖心援助基地", "就业援助基地", "2022-08-01", GOOD),
            base("B2", "培训基地", "职业培训基地", "2022-08-20", BAD),
            base("B3", "见习基地", "就业见习基地", "2022-07-01", BAD),
        ],
        city=JINAN,
        cutoff=T1,
    )

    def pair(pid: str, kind: str, on: str, **kw: object) -> dict:
        return {
            "pairing_id": pid,
            "pairing_type": kind,
            "helper": "帮扶方",
            "paired_on": D(on),
            **kw,
        }

    cadre, enterprise = terms.PAIRING_CADRE_TARGET, terms.PAIRING_ENTERPRISE_COMMUNITY
    raw.add_file(
        "pairings",
        [
            pair("P1", cadre, "2022-08-05", name="丙", id_number=C, helper_uscc=BAD),
            pair("P2", cadre, "2022-08-05", name="戊", id_number=E, ended_on=D("2022-08-15")),
            pair("P3", enterprise, "2022-08-01", community="幸福社区", helper_uscc=BAD),
            pair("P4", enterprise, "2022-08-20", community="和谐社区", helper_uscc=GOOD),
            pair("P5", cadre, "2022-08-05", name="丙", id_number=P5_TYPO),
        ],
        city=JINAN,
        cutoff=T1,
    )

    def post(
        pid: str, published: str, openings: int, category: str | None, code: str | None = None
    ) -> dict:
        return {
            "post_id": pid,
            "employer": "某公司",
            "title": "普工",
            "openings": openings,
            "published_on": D(published),
            "category": category,
            "employer_uscc": code,
        }

    raw.add_file(
        "job_posts",
        [
            post("J1", "2022-08-02", 3, "爱心岗位", BAD),
            post("J2", "2022-08-03", 2, None),
            post("J3", "2022-07-01", 5, "爱心岗位"),
        ],
        city=JINAN,
        cutoff=T1,
    )
    raw.add_file(
        "job_posts", [post("J4", "2022-08-20", 4, "见习岗位", GOOD)], city=JINAN, cutoff=T2
    )
    rng = random.Random(5)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    codes = []
    for i in range(200):
        body = (
            "9137"
            + "".join(rng.choice("0123456789") for _ in range(4))
            + "".join(rng.choice(alphabet) for _ in range(9))
        )
        code = valid_code(body) if i % 2 else body + rng.choice(alphabet)
        codes.append(code if i % 7 else code.lower()[:-2] + "-" + code[-2:])
    raw.add_file(
        "job_posts",
        [post(f"Z{i}", "2022-07-01", 1, None, c) for i, c in enumerate(codes)],
        city=ZIBO,
        cutoff=T1,
    )
    return codes


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, list[str]]]:
    path = tmp_path_factory.mktemp("policy") / "warehouse.duckdb"
    raw = RawBuilder(path)
    codes = build(raw)
    raw.close()
    result = run_dbt(path, select="+rpt_campaign_supplement +rpt_job_pool +int_person_quarantine")
    assert result.returncode == 0, result.stdout[-5000:]
    c = duckdb.connect(str(path), read_only=True)
    yield c, codes
    c.close()


@pytest.fixture
def con(built) -> duckdb.DuckDBPyConnection:
    return built[0]


def row(con: duckdb.DuckDBPyConnection, cutoff: str, city: str) -> dict:
    cur = con.execute(
        "select * from marts.rpt_campaign_supplement where cutoff_date = ? and city_code = ?",
        [cutoff, city],
    )
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


def pick(r: dict, *names: str) -> tuple:
    return tuple(r[n] for n in names)


def test_bases_by_type_recognised_by_the_cutoff_and_carried_forward(con) -> None:
    names = ("bases_employment_assistance", "bases_training", "bases_internship")
    assert pick(row(con, T1, JINAN), *names) == (1, 0, 1)
    assert pick(row(con, T2, JINAN), *names) == (1, 1, 1)


def test_employed_at_bases_matches_base_name_or_operator_folded(con) -> None:
    assert row(con, T1, JINAN)["employed_at_bases"] == 1  # A: "暖心 援助基地"
    assert row(con, T2, JINAN)["employed_at_bases"] == 1  # F: the operator; A fell back


def test_pairings_active_at_the_cutoff(con) -> None:
    assert pick(row(con, T1, JINAN), "targets_paired", "enterprise_community_pairs") == (1, 1)
    assert pick(row(con, T2, JINAN), "targets_paired", "enterprise_community_pairs") == (1, 2)


def test_a_pairing_whose_person_cannot_be_resolved_is_quarantined(con) -> None:
    rows = con.execute(
        "select reason_code from intermediate.int_person_quarantine where table_type = 'pairings'"
    ).fetchall()
    assert rows == [("invalid_id_no_phone_table",)]


def test_graduate_targets_need_the_category_and_the_registry(con) -> None:
    assert row(con, T1, JINAN)["graduate_targets"] == 1
    assert row(con, T2, JINAN)["graduate_targets"] == 1


def test_median_days_to_employment_per_city_and_over_the_province(con) -> None:
    assert row(con, T1, JINAN)["median_days_to_employment"] == 40.5  # 70 and 11
    assert row(con, T2, JINAN)["median_days_to_employment"] == 15.0  # 11 and 19
    assert row(con, T1, QINGDAO)["median_days_to_employment"] == 35.0
    assert row(con, T1, terms.PROVINCE_CODE)["median_days_to_employment"] == 35.0  # 11, 35, 70
    assert row(con, T1, ZIBO)["median_days_to_employment"] is None


def test_fell_back_to_unemployed(con) -> None:
    assert row(con, T1, JINAN)["fell_back_to_unemployed"] == 0
    assert row(con, T2, JINAN)["fell_back_to_unemployed"] == 1


def test_invalid_credit_codes_of_postings_bases_and_enterprise_pairings(con, built) -> None:
    # J1, B2, B3, P3 (P1's code is a cadre pairing's and does not count).
    assert row(con, T1, JINAN)["invalid_credit_codes"] == 4
    assert row(con, T2, JINAN)["invalid_credit_codes"] == 4
    expected_zibo = sum(uscc_is_invalid(c) for c in built[1])
    assert 50 < expected_zibo < 150
    assert row(con, T1, ZIBO)["invalid_credit_codes"] == expected_zibo


def test_the_sql_check_agrees_with_stdnum_code_by_code(con, built) -> None:
    got = dict(
        con.execute(
            "select post_id, is_employer_uscc_invalid from staging.stg_job_posts "
            "where city_code = ?",
            [ZIBO],
        ).fetchall()
    )
    assert got == {f"Z{i}": uscc_is_invalid(c) for i, c in enumerate(built[1])}


def test_province_row_sums_the_cities(con) -> None:
    summed = [
        c
        for c in row(con, T1, JINAN)
        if c not in ("cutoff_date", "city_code", "city_name", "median_days_to_employment")
    ]
    for cutoff in (T1, T2):
        total = con.execute(
            f"select {', '.join(f'sum({c})' for c in summed)} from marts.rpt_campaign_supplement "
            "where cutoff_date = ? and city_code <> ?",
            [cutoff, terms.PROVINCE_CODE],
        ).fetchone()
        assert pick(row(con, cutoff, terms.PROVINCE_CODE), *summed) == total


def test_every_city_and_the_province_at_every_cutoff(con) -> None:
    n, cutoffs = con.execute(
        "select count(*), count(distinct cutoff_date) from marts.rpt_campaign_supplement"
    ).fetchone()
    assert n == cutoffs * (len(terms.CITIES) + 1)


def test_job_pool_by_category(con) -> None:
    def pool(cutoff: str, city: str) -> dict:
        return {
            c: (p, o)
            for c, p, o in con.execute(
                "select post_category, postings, openings from marts.rpt_job_pool "
                "where cutoff_date = ? and city_code = ? and postings > 0",
                [cutoff, city],
            ).fetchall()
        }

    assert pool(T1, JINAN) == {"爱心岗位": (1, 3), terms.NOT_FILLED: (1, 2)}
    assert pool(T2, JINAN) == {"爱心岗位": (1, 3), terms.NOT_FILLED: (1, 2), "见习岗位": (1, 4)}
    assert pool(T2, terms.PROVINCE_CODE) == pool(T2, JINAN)
    n = con.execute(
        "select count(*) from marts.rpt_job_pool where cutoff_date = ?", [T1]
    ).fetchone()[0]
    assert n == (len(terms.CITIES) + 1) * (len(terms.JOB_CATEGORIES) + 1)
