"""The people models (staging normalisation, person resolution, ledgers, targets, facts)
on a small hand-built raw layer: every contract §5/§6 case is one or two rows here."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
from collections.abc import Iterator

import duckdb
import pytest
from stdnum.cn import ric

from tools.fixtures.ids import make_id
from tools.fixtures.raw_builder import RawBuilder, people_project, run_dbt

T1, T2, T3 = "2022-08-15", "2022-08-30", "2022-09-15"
JINAN, QINGDAO, ZIBO, ZAOZHUANG, DONGYING, YANTAI, WEIFANG = (
    "370100",
    "370200",
    "370300",
    "370400",
    "370500",
    "370600",
    "370700",
)


def typo(id18: str) -> str:
    """One digit changed in the sequence part: the check character no longer fits."""
    return id18[:15] + str((int(id18[15]) + 1) % 10) + id18[16:]


def id_with_x_check() -> str:
    for seq in range(500):
        candidate = make_id("1975-03-04", seq, True)
        if candidate.endswith("X"):
            return candidate
    raise AssertionError("no ID with check character X")


ID_X = id_with_x_check()
ID_15 = "370102800101123"  # → 370102198001011237
ID_15_AS_18 = "370102198001011237"
ID_MUSLIM = make_id("1990-05-06", 11, True)
ID_WANG1 = make_id("1985-01-01", 21, False)
ID_WANG2 = make_id("1986-02-02", 22, False)
ID_CARRIED = make_id("1970-07-07", 31, True)
ID_CONFLICT = make_id("1971-01-01", 41, True)
ID_TIE = make_id("1972-02-02", 42, False)
ID_SUPERSEDED = make_id("1973-03-03", 43, True)
ID_LATE_IDENTIFIED = make_id("1974-04-04", 44, False)
ID_LONG_TERM = make_id("1988-08-08", 51, True)
ID_NOT_LONG_TERM = make_id("1988-08-09", 52, True)
ID_CANCELLED = make_id("1989-09-09", 53, True)
ID_WOMAN_40 = make_id("1982-08-01", 61, False)
ID_WOMAN_39 = make_id("1982-08-02", 62, False)
ID_MAN_50 = make_id("1972-08-01", 63, True)
ID_FUTURE = make_id("2030-01-01", 71, True)
ID_DIBAO_ENDED = make_id("1991-01-01", 81, True)
ID_DIBAO_OVERLAP = make_id("1991-01-02", 82, True)
ID_1899 = make_id("1899-12-31", 72, True)
ID_TWO_ROWS = make_id("1976-06-06", 91, False)
ID_LATE_WINNER = make_id("1977-07-07", 92, True)
ID_CARRIED_RACE = make_id("1978-08-08", 93, False)
ID_CANCELLED_SAME_DAY = make_id("1979-09-09", 94, True)
ID_GRAD = make_id("2000-01-02", 95, False)
ID_GRAD_WORKING = make_id("2000-01-03", 96, True)
ID_REG_COPIES = make_id("1980-10-10", 97, False)


def ledger_row(name: str, id_number: str, phone: str | None = None, **kw: object) -> dict:
    row: dict = {
        "name": name,
        "id_number": id_number,
        "phone": phone,
        "categories": ["其他就业困难人员"],
        "identified_on": dt.date(2022, 8, 1),
        "employment_status": "未就业",
    }
    row.update(kw)
    return row


@pytest.fixture(scope="module")
def built_warehouse(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("people") / "warehouse.duckdb"
    raw = RawBuilder(path)
    # 济南: a first upload for T1, then a correction (the later file wins), nothing for T2.
    raw.add_file(
        "ledger",
        [ledger_row("旧人", ID_SUPERSEDED, "13100000000")],
        city=JINAN,
        cutoff=T1,
        received_at="2022-08-14 09:00:00",
    )
    raw.add_file(
        "ledger",
        [
            ledger_row("张 三", ID_15, "+86 138-0013-8000"),
            ledger_row("李四", ID_X.lower()[:-1] + "x", "13800000002"),
            ledger_row("李四", ID_X, "13800000002"),  # the same person twice in one ledger
            ledger_row("王芳", ID_WANG1, "13700000000"),
            ledger_row("王芳", typo(ID_WANG1), "137 0000 0000"),  # ambiguous: two 王芳 share it
            ledger_row("赵六", "3.70102198E+17", "13600000000"),  # lost in a spreadsheet
            ledger_row("迟认定", ID_LATE_IDENTIFIED, None, identified_on=dt.date(2022, 8, 20)),
            ledger_row("长期", ID_LONG_TERM, None, identified_on=dt.date(2022, 8, 1)),
            ledger_row(
                "不够",
                ID_NOT_LONG_TERM,
                None,
                identified_on=dt.date(2022, 8, 1),
                unemployment_registered_on=dt.date(2021, 8, 2),
            ),
            ledger_row(
                "注销",
                ID_CANCELLED,
                None,
                identified_on=dt.date(2022, 8, 1),
                unemployment_registered_on=dt.date(2020, 1, 1),
            ),
            ledger_row("女四十", ID_WOMAN_40, None),
            ledger_row("女三九", ID_WOMAN_39, None),
            ledger_row("男五十", ID_MAN_50, None),
            ledger_row("未来", ID_FUTURE, None),
            ledger_row("低保止", ID_DIBAO_ENDED, None),
            ledger_row("低保叠", ID_DIBAO_OVERLAP, None),
            ledger_row("清朝", ID_1899, None),
            # The same person twice: first by a typo (linked by name + phone), then by the valid ID.
            ledger_row("双行", typo(ID_TWO_ROWS), "13300000000", job_wish="typo row"),
            ledger_row("双行", ID_TWO_ROWS, "13300000000", job_wish="valid row"),
            ledger_row("当日注销", ID_CANCELLED_SAME_DAY, None, identified_on=dt.date(2022, 8, 1)),
            ledger_row("毕业", ID_GRAD, None),
            ledger_row("毕业已就业", ID_GRAD_WORKING, None),
        ],
        city=JINAN,
        cutoff=T1,
        received_at="2022-08-15 10:00:00",
    )
    # 青岛: the valid ID at T1; at T2 a typo of it with the same name (other dot) and phone.
    raw.add_file(
        "ledger",
        [
            ledger_row("买买提·艾力", ID_MUSLIM, "13900000001"),
            ledger_row("王芳", ID_WANG2, "13700000000"),
        ],
        city=QINGDAO,
        cutoff=T1,
    )
    raw.add_file(
        "ledger",
        [
            ledger_row("买买提•艾力", typo(ID_MUSLIM), "+86 139-0000-0001"),
            ledger_row("王芳", ID_WANG2, "13700000000"),
            ledger_row("结转竞争", ID_CARRIED_RACE, None),
        ],
        city=QINGDAO,
        cutoff=T2,
        received_at="2022-08-30 09:00:00",
    )
    # 淄博 sends a ledger only for T1 (received late, after 青岛's T2 ledger): carried forward
    # afterwards, and at T2 it still competes with its own receipt time.
    raw.add_file(
        "ledger",
        [
            ledger_row("结转", ID_CARRIED, "13500000000"),
            ledger_row("结转竞争", ID_CARRIED_RACE, None),
        ],
        city=ZIBO,
        cutoff=T1,
        received_at="2022-08-31 10:00:00",
    )
    # One person on two ledgers at T1: 东营's was received last and wins.
    # The later 东营 ledger lists 晚认定 as identified after T1: nobody's target at T1.
    raw.add_file(
        "ledger",
        [ledger_row("两地", ID_CONFLICT, None), ledger_row("晚认定", ID_LATE_WINNER, None)],
        city=ZAOZHUANG,
        cutoff=T1,
        received_at="2022-08-14 10:00:00",
    )
    raw.add_file(
        "ledger",
        [
            ledger_row("两地", ID_CONFLICT, None),
            ledger_row("晚认定", ID_LATE_WINNER, None, identified_on=dt.date(2022, 8, 20)),
        ],
        city=DONGYING,
        cutoff=T1,
        received_at="2022-08-15 09:00:00",
    )
    # Received at the same moment: the lower city code wins.
    for city in (WEIFANG, YANTAI):
        raw.add_file(
            "ledger",
            [ledger_row("同时", ID_TIE, None)],
            city=city,
            cutoff=T1,
            received_at="2022-08-15 08:00:00",
        )
    # Visits: one resent in the next folder; one with an invalid ID (no phone to link by).
    visit = {
        "name": "张三",
        "id_number": ID_15_AS_18,
        "visited_on": dt.date(2022, 8, 5),
        "visit_method": "入户走访",
    }
    raw.add_file(
        "visits", [visit, {**visit, "name": "某人", "id_number": typo(ID_X)}], city=JINAN, cutoff=T1
    )
    raw.add_file("visits", [visit], city=JINAN, cutoff=T2)
    # Registries.
    raw.add_file(
        "reg_unemployment_registration",
        [
            {
                "id_number": ID_LONG_TERM,
                "city_code": "371200",
                "registered_on": dt.date(2021, 8, 1),
            },
            {
                "id_number": ID_LONG_TERM,
                "city_code": "370100",
                "registered_on": dt.date(2021, 8, 1),
            },
            {
                "id_number": ID_CANCELLED,
                "city_code": "370100",
                "registered_on": dt.date(2022, 3, 1),
                "cancelled_on": dt.date(2022, 7, 1),
            },
            {
                "id_number": ID_CANCELLED_SAME_DAY,
                "city_code": "370100",
                "registered_on": dt.date(2021, 7, 1),
                "cancelled_on": dt.date(2022, 8, 1),
            },
            {
                "id_number": ID_REG_COPIES,
                "city_code": "370100",
                "registered_on": dt.date(2022, 1, 1),
            },
        ],
        received_at="2022-08-01 09:00:00",
    )
    # A later extract repeats a registration with its cancellation: the later copy wins.
    raw.add_file(
        "reg_unemployment_registration",
        [
            {
                "id_number": ID_REG_COPIES,
                "city_code": "370100",
                "registered_on": dt.date(2022, 1, 1),
                "cancelled_on": dt.date(2022, 6, 1),
            }
        ],
        received_at="2022-09-01 09:00:00",
    )
    raw.add_file(
        "reg_graduates",
        [
            {"id_number": ID_GRAD, "city_code": "370100", "employment_status": "未就业"},
            {"id_number": ID_GRAD_WORKING, "city_code": "370100", "employment_status": "已就业"},
        ],
    )
    raw.add_file(
        "reg_dibao",
        [
            {
                "id_number": ID_DIBAO_ENDED,
                "city_code": "370100",
                "started_on": dt.date(2020, 1, 1),
                "ended_on": dt.date(2022, 7, 31),
            },
            {
                "id_number": ID_DIBAO_OVERLAP,
                "city_code": "370100",
                "started_on": dt.date(2020, 1, 1),
                "ended_on": dt.date(2022, 8, 1),
            },
        ],
    )
    raw.add_file(
        "reg_disability",
        [{"id_number": ID_15, "city_code": "370100", "certified_on": dt.date(2022, 8, 20)}],
    )
    # Random IDs, valid and spoiled, to hold the SQL validity against python-stdnum.
    rng = random.Random(7)
    samples = []
    for i in range(300):
        good = make_id(
            f"19{rng.randint(30, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            i,
            bool(i % 2),
            region=f"37{rng.randint(10, 99)}{rng.randint(10, 99)}",
        )
        samples.append(good if i % 3 else typo(good))
    raw.add_file(
        "reg_poverty_alleviated",
        [{"id_number": s, "city_code": "370100"} for s in samples],
        path="registries/poverty_alleviated/random_ids.csv",
    )
    raw.close()
    project = people_project(path.parent / "dbt_project")
    result = run_dbt(path, "build", project_dir=project)
    assert result.returncode == 0, result.stdout[-5000:]
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


@pytest.fixture
def warehouse(built_warehouse: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of its own for each test: DuckDB refuses a relation query on a connection
    whose last result was not fetched to the end (another test's `fetchone()`), so on one
    shared connection the tests passed or failed with the order pytest-xdist gave them."""
    cursor = built_warehouse.cursor()
    yield cursor
    cursor.close()


def person_of(con: duckdb.DuckDBPyConnection, name: str, table: str = "ledger") -> list:
    return con.execute(
        "select person_id, resolution, reason_code from intermediate.int_person_links "
        "where table_type = ? and name = ? order by file_path, source_row",
        [table, name],
    ).fetchall()


def targets(con: duckdb.DuckDBPyConnection, cutoff: str) -> dict[str, tuple]:
    rows = con.execute(
        "select person_id, city_code, is_carried_forward from intermediate.int_targets "
        "where cutoff_date = ?",
        [cutoff],
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def test_a_15_digit_id_is_upgraded_and_is_the_same_person_as_its_18_digit_form(warehouse):
    assert person_of(warehouse, "张 三")[0][0] == ID_15_AS_18
    assert person_of(warehouse, "张三", "visits")[0][0] == ID_15_AS_18


def test_lower_case_x_is_the_same_valid_id_and_a_duplicate_row_is_one_entry(warehouse):
    assert {p for p, *_ in person_of(warehouse, "李四")} == {ID_X}
    entries = warehouse.execute(
        "select count(*) from intermediate.int_ledger_entries where person_id = ? and cutoff_date = ?",
        [ID_X, T1],
    ).fetchone()
    assert entries == (1,)


def test_an_id_typo_is_linked_by_name_and_phone_and_creates_no_second_person(warehouse):
    rows = warehouse.execute(
        "select person_id, resolution from intermediate.int_person_links "
        "where table_type = 'ledger' and name_norm = '买买提·艾力' order by cutoff_date"
    ).fetchall()
    assert rows == [(ID_MUSLIM, "valid_id"), (ID_MUSLIM, "name_phone")]
    assert typo(ID_MUSLIM) not in {
        r[0] for r in warehouse.sql("select person_id from intermediate.int_persons").fetchall()
    }
    assert targets(warehouse, T2)[ID_MUSLIM] == (QINGDAO, False)


def test_a_name_and_phone_shared_by_two_people_is_quarantined_not_guessed(warehouse):
    rows = person_of(warehouse, "王芳")
    assert (None, None, "ambiguous_name_phone") in rows


def test_an_id_lost_in_a_spreadsheet_is_quarantined_with_an_operator_reason(warehouse):
    reason = warehouse.execute(
        "select reason_code, reason, id_number from intermediate.int_person_quarantine where name = '赵六'"
    ).fetchone()
    assert reason[0] == "invalid_id_no_match"
    assert "3.70102198E+17" in reason[1] and "row" in reason[1]
    assert reason[2] is None


def test_an_invalid_id_in_a_table_without_phone_is_quarantined(warehouse):
    assert person_of(warehouse, "某人", "visits") == [(None, None, "invalid_id_no_phone_table")]


def test_a_birth_date_after_the_campaign_end_makes_an_id_invalid(warehouse):
    assert person_of(warehouse, "未来")[0][0] is None


def reference_validity(id_number: str) -> bool:
    """Contract §5 validity from python-stdnum's pieces (its is_valid also checks the
    region code against today's list, which the contract forbids)."""
    if len(id_number) != 18 or not id_number[:17].isdigit():
        return False
    if ric.calc_check_digit(id_number) != id_number[17]:
        return False
    try:
        birth = ric.get_birth_date(id_number)
    except Exception:
        return False
    return dt.date(1900, 1, 1) <= birth <= dt.date(2022, 10, 31)


def test_sql_id_validity_agrees_with_python_stdnum(warehouse):
    rows = warehouse.sql(
        "select id_number_raw, id_is_valid, birth_date, gender from staging.stg_poverty_alleviated"
    ).fetchall()
    assert len(rows) == 300
    for raw_id, valid, birth, gender in rows:
        assert valid == reference_validity(raw_id), raw_id
        if valid:
            assert birth == ric.get_birth_date(raw_id)
            assert gender == ("男" if int(raw_id[16]) % 2 else "女")


def test_names_and_phones_are_normalised(warehouse):
    rows = dict(
        warehouse.sql(
            "select name, phone_norm from staging.stg_ledger where name in ('张 三', '买买提•艾力')"
        ).fetchall()
    )
    assert rows == {"张 三": "13800138000", "买买提•艾力": "13900000001"}
    names = {r[0] for r in warehouse.sql("select name_norm from staging.stg_ledger").fetchall()}
    assert "张三" in names and "买买提·艾力" in names


def test_a_registry_city_code_of_laiwu_means_jinan(warehouse):
    codes = warehouse.sql(
        "select distinct city_code from staging.stg_unemployment_registration"
    ).fetchall()
    assert codes == [(JINAN,)]


def test_registry_rows_are_deduplicated_by_natural_key(warehouse):
    rows = warehouse.execute(
        "select copies_received from intermediate.int_unemployment_registration where person_id = ?",
        [ID_LONG_TERM],
    ).fetchall()
    assert rows == [(2,)]


def test_a_superseded_upload_does_not_count(warehouse):
    assert ID_SUPERSEDED not in targets(warehouse, T1)


def test_a_city_without_a_ledger_keeps_its_latest_earlier_one_flagged_carried_forward(warehouse):
    assert targets(warehouse, T1)[ID_CARRIED] == (ZIBO, False)
    assert targets(warehouse, T2)[ID_CARRIED] == (ZIBO, True)
    source = warehouse.execute(
        "select source_cutoff_date from intermediate.int_targets where person_id = ? and cutoff_date = ?",
        [ID_CARRIED, T3],
    ).fetchone()
    assert source == (dt.date(2022, 8, 15),)


def test_a_person_on_two_ledgers_belongs_to_the_one_received_last(warehouse):
    assert targets(warehouse, T1)[ID_CONFLICT] == (DONGYING, False)
    conflicts = warehouse.execute(
        "select city_code, is_winner, winning_city_code from intermediate.int_ledger_conflicts "
        "where person_id = ? and cutoff_date = ? order by city_code",
        [ID_CONFLICT, T1],
    ).fetchall()
    assert conflicts == [(ZAOZHUANG, False, DONGYING), (DONGYING, True, DONGYING)]


def test_a_tie_in_receipt_time_goes_to_the_lower_city_code(warehouse):
    assert targets(warehouse, T1)[ID_TIE] == (YANTAI, False)


def test_a_person_identified_after_the_cutoff_is_not_yet_a_target(warehouse):
    assert ID_LATE_IDENTIFIED not in targets(warehouse, T1)
    assert targets(warehouse, T2)[ID_LATE_IDENTIFIED] == (JINAN, True)


def test_a_visit_resent_in_a_later_folder_is_one_visit_known_since_the_first(warehouse):
    rows = warehouse.execute(
        "select first_cutoff_date, copies_received from intermediate.int_visits where person_id = ?",
        [ID_15_AS_18],
    ).fetchall()
    assert rows == [(dt.date(2022, 8, 15), 2)]


def facts(con: duckdb.DuckDBPyConnection, person_id: str, cutoff: str = T1) -> dict:
    cur = con.execute(
        "select * from intermediate.int_target_facts where person_id = ? and cutoff_date = ?",
        [person_id, cutoff],
    )
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    assert row is not None, person_id
    return dict(zip(names, row, strict=True))


def test_long_term_unemployment_needs_a_full_calendar_year_before_identification(warehouse):
    assert facts(warehouse, ID_LONG_TERM)["is_long_term_unemployed"] is True
    assert facts(warehouse, ID_LONG_TERM)["unemployment_registration_source"] == "registry"
    assert facts(warehouse, ID_NOT_LONG_TERM)["is_long_term_unemployed"] is False


def test_a_registration_cancelled_before_identification_falls_back_to_the_ledger(warehouse):
    row = facts(warehouse, ID_CANCELLED)
    assert row["unemployment_registration_source"] == "ledger"
    assert row["unemployment_registered_on"] == dt.date(2020, 1, 1)
    assert row["is_long_term_unemployed"] is True


def test_older_worker_age_is_reached_on_the_birthday(warehouse):
    assert facts(warehouse, ID_WOMAN_40)["is_older_worker"] is True
    assert facts(warehouse, ID_WOMAN_39)["is_older_worker"] is False
    assert facts(warehouse, ID_MAN_50)["is_older_worker"] is True


def test_disability_counts_from_the_certificate_date(warehouse):
    assert facts(warehouse, ID_15_AS_18, T1)["is_disabled"] is False
    assert facts(warehouse, ID_15_AS_18, T2)["is_disabled"] is True


def test_dibao_must_overlap_the_campaign_window(warehouse):
    assert facts(warehouse, ID_DIBAO_ENDED)["is_dibao_member"] is False
    assert facts(warehouse, ID_DIBAO_OVERLAP)["is_dibao_member"] is True


def test_person_key_is_a_keyed_hash_and_dim_person_has_the_latest_ledger_values(warehouse):
    key, name, phone, gender = warehouse.execute(
        "select person_key, name, phone, gender from restricted.dim_person where person_id = ?",
        [ID_MUSLIM],
    ).fetchone()
    assert (
        key == hmac.new(b"warmheart-dev-only-key", ID_MUSLIM.encode(), hashlib.sha256).hexdigest()
    )
    assert (name, phone, gender) == ("买买提•艾力", "13900000001", "男")


def test_a_birth_year_before_1900_makes_an_id_invalid(warehouse):
    assert person_of(warehouse, "清朝")[0][0] is None


def test_a_valid_id_row_beats_a_name_and_phone_row_of_the_same_person_in_one_ledger(warehouse):
    assert {r[0] for r in person_of(warehouse, "双行")} == {ID_TWO_ROWS}
    entry = warehouse.execute(
        "select resolution, job_wish from intermediate.int_ledger_entries where person_id = ? and cutoff_date = ?",
        [ID_TWO_ROWS, T1],
    ).fetchall()
    assert entry == [("valid_id", "valid row")]


def test_a_winning_city_that_identified_the_person_after_the_cutoff_leaves_them_nobodys_target(
    warehouse,
):
    assert ID_LATE_WINNER not in targets(warehouse, T1)
    assert targets(warehouse, T2)[ID_LATE_WINNER] == (DONGYING, True)


def test_a_carried_forward_ledger_competes_with_its_original_receipt_time(warehouse):
    # 淄博's T1 ledger arrived on 08-31, after 青岛's T2 ledger (08-30): it stays the latest.
    assert targets(warehouse, T1)[ID_CARRIED_RACE] == (ZIBO, False)
    assert targets(warehouse, T2)[ID_CARRIED_RACE] == (ZIBO, True)


def test_a_registration_cancelled_on_the_identification_day_still_counts(warehouse):
    row = facts(warehouse, ID_CANCELLED_SAME_DAY)
    assert row["unemployment_registration_source"] == "registry"
    assert row["unemployment_registered_on"] == dt.date(2021, 7, 1)
    assert row["is_long_term_unemployed"] is True


def test_a_graduate_marked_employed_in_the_registry_is_not_an_unemployed_graduate(warehouse):
    assert facts(warehouse, ID_GRAD)["is_unemployed_graduate"] is True
    assert facts(warehouse, ID_GRAD_WORKING)["is_unemployed_graduate"] is False


def test_registry_duplicates_keep_the_copy_of_the_latest_received_extract(warehouse):
    rows = warehouse.execute(
        "select cancelled_on, copies_received from intermediate.int_unemployment_registration where person_id = ?",
        [ID_REG_COPIES],
    ).fetchall()
    assert rows == [(dt.date(2022, 6, 1), 2)]
