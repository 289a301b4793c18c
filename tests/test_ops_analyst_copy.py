"""The analysts' DuckDB copy: marts only, no identifying column, and readers never block the pipeline."""

import subprocess
import sys
import textwrap

import duckdb
import pytest

from pipelines.publish.analyst_copy import AnalystCopyError, build_analyst_copy, pii_columns

READER = textwrap.dedent("""
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("select count(*) from marts.rpt_campaign_stats").fetchone()[0], flush=True)
    sys.stdin.readline()  # hold the file open until the test says so
    print(con.execute("select count(*) from marts.rpt_campaign_stats").fetchone()[0], flush=True)
""")


def _warehouse(path, rows: int = 17) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema restricted; create schema intermediate")
    con.execute(f"""create table marts.rpt_campaign_stats as
        select date '2022-08-15' as cutoff_date, (370100 + i * 100)::varchar as city_code,
               'city' as city_name, i as targets_identified from range({rows}) t(i)""")
    con.execute(
        "create table marts.fct_target_progress as select 'k1' as person_key, true as is_visited"
    )
    con.execute(
        "create table restricted.dim_person as select 'k1' as person_key, "
        "'370102199001011234' as person_id, '张三' as name, '13800138000' as phone"
    )
    con.execute("create table intermediate.int_persons as select '370102199001011234' as person_id")
    con.close()


def _count(path) -> int:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; print(duckdb.connect(sys.argv[1], read_only=True)"
            ".execute('select count(*) from marts.rpt_campaign_stats').fetchone()[0])",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout)


def test_copy_holds_the_marts_schema_only(tmp_path):
    wh, dest = tmp_path / "wh.duckdb", tmp_path / "marts" / "warmheart_analyst.duckdb"
    _warehouse(wh)
    rows = build_analyst_copy(wh, dest)
    assert rows == {"fct_target_progress": 1, "rpt_campaign_stats": 17}
    con = duckdb.connect(str(dest), read_only=True)
    tables = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns"
    ).fetchall()
    con.close()
    assert {t[0] for t in tables} == {"marts"}
    assert not pii_columns([t[2] for t in tables])
    assert not list(dest.parent.glob(".*building*"))  # nothing left beside it


def test_copy_is_refused_when_a_mart_names_people(tmp_path):
    wh, dest = tmp_path / "wh.duckdb", tmp_path / "warmheart_analyst.duckdb"
    _warehouse(wh)
    build_analyst_copy(wh, dest)
    before = dest.read_bytes()
    con = duckdb.connect(str(wh))
    con.execute(
        "create table marts.leaky as select '张三' as name, '370102199001011234' as id_number"
    )
    with pytest.raises(AnalystCopyError, match="leaky"):
        build_analyst_copy(con, dest)
    con.close()
    assert dest.read_bytes() == before


def test_identifying_column_names_are_recognised_but_city_name_is_not():
    identifying = [
        "id_number",
        "id_number_raw",
        "person_id",
        "name",
        "name_norm",
        "phone",
        "phone_norm",
        "姓名",
    ]
    assert pii_columns([*identifying, "city_name", "person_key", "cutoff_date"]) == identifying


def test_reader_holding_the_copy_and_a_publishing_pipeline_do_not_block_each_other(tmp_path):
    wh, dest = tmp_path / "wh.duckdb", tmp_path / "warmheart_analyst.duckdb"
    _warehouse(wh, rows=17)
    build_analyst_copy(wh, dest)

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(dest)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "17"  # the analyst has the copy open

        # A pipeline run: writes the warehouse and publishes a new copy while the reader holds the old.
        # (DuckDB never waits on a lock: a conflict would raise here, not slow the test down.)
        con = duckdb.connect(str(wh))
        con.execute(
            "insert into marts.rpt_campaign_stats select date '2022-08-30', city_code, city_name, "
            "targets_identified + 1 from marts.rpt_campaign_stats"
        )
        # Meanwhile a new analyst can open the copy although the warehouse is locked for writing.
        assert _count(dest) == 17
        rows = build_analyst_copy(con, dest)
        con.close()
        assert rows["rpt_campaign_stats"] == 34

        # The held connection still reads its (old) version; a new connection sees the new one.
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "17"
        assert reader.wait() == 0, reader.stderr.read()
        assert _count(dest) == 34
    finally:
        reader.kill()


def _tables(path) -> dict[str, list[tuple]]:
    """Every marts table of a DuckDB file, its columns and its rows sorted."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        ]
        out = {}
        for name in names:
            rel = con.sql(f"select * from marts.{name}")
            out[name] = [tuple(rel.columns), *sorted(rel.fetchall(), key=repr)]
        return out
    finally:
        con.close()


def test_a_copy_started_from_the_previous_one_holds_exactly_the_warehouse_rows(tmp_path):
    """The new copy starts from the published one and is levelled by changed parts; every
    kind of change lands, and the result is what a fresh copy holds."""
    wh, old = tmp_path / "wh.duckdb", tmp_path / "v1" / "warmheart_analyst.duckdb"
    _warehouse(wh, rows=17)
    con = duckdb.connect(str(wh))
    con.execute("create table marts.gone as select 1 as x")
    con.execute("create table marts.reshaped as select 1 as x")
    con.close()
    build_analyst_copy(wh, old)

    con = duckdb.connect(str(wh))
    con.execute(  # one part changed, one part gone, one part new
        "update marts.rpt_campaign_stats set targets_identified = 99 where city_code = '370100'"
    )
    con.execute("delete from marts.rpt_campaign_stats where city_code = '370200'")
    con.execute(
        "insert into marts.rpt_campaign_stats values (date '2022-08-30', '370100', 'city', 5)"
    )
    con.execute("update marts.fct_target_progress set is_visited = false")  # no part columns
    con.execute("drop table marts.gone")
    con.execute("drop table marts.reshaped")
    con.execute("create table marts.reshaped as select 'a' as x, 2 as y")
    con.execute("create table marts.added as select 1 as z")
    con.close()
    # Someone wrote into the published copy: the content is compared, so it is mended.
    con = duckdb.connect(str(old))
    con.execute("insert into marts.rpt_campaign_stats values (date '2022-08-15', '370300', 'x', 1)")
    con.close()

    new, fresh = tmp_path / "v2" / "warmheart_analyst.duckdb", tmp_path / "fresh.duckdb"
    rows = build_analyst_copy(wh, new, previous=old)
    build_analyst_copy(wh, fresh)
    assert _tables(new) == _tables(fresh)
    assert set(_tables(new)) == {"rpt_campaign_stats", "fct_target_progress", "reshaped", "added"}
    assert rows["rpt_campaign_stats"] == 17


def test_a_previous_copy_holding_anything_but_marts_tables_is_not_started_from(tmp_path):
    wh, old = tmp_path / "wh.duckdb", tmp_path / "v1" / "warmheart_analyst.duckdb"
    _warehouse(wh)
    build_analyst_copy(wh, old)
    con = duckdb.connect(str(old))
    con.execute("create schema scratch; create table scratch.mine as select 1 as x")
    con.execute("create view marts.v as select 1 as x")
    con.close()
    new = tmp_path / "v2" / "warmheart_analyst.duckdb"
    build_analyst_copy(wh, new, previous=old)
    con = duckdb.connect(str(new), read_only=True)
    objects = con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "union all select schema_name, view_name from duckdb_views() where not internal"
    ).fetchall()
    con.close()
    assert sorted(objects) == [("marts", "fct_target_progress"), ("marts", "rpt_campaign_stats")]


def test_a_previous_copy_mostly_free_space_is_not_started_from(tmp_path):
    wh, old = tmp_path / "wh.duckdb", tmp_path / "v1" / "warmheart_analyst.duckdb"
    _warehouse(wh)
    build_analyst_copy(wh, old)
    con = duckdb.connect(str(old))  # a large table replaced earlier left its blocks free
    con.execute(
        "create table marts.big as select range as i, md5(range::varchar) from range(300000)"
    )
    con.execute("checkpoint")
    con.execute("create table marts.after as select range as i from range(1000)")
    con.execute("checkpoint")  # written after the large table: the file cannot shrink
    con.execute("drop table marts.big")
    con.execute("checkpoint")
    con.close()
    new = tmp_path / "v2" / "warmheart_analyst.duckdb"
    build_analyst_copy(wh, new, previous=old)
    assert new.stat().st_size < old.stat().st_size / 2
    assert _tables(new) == _tables(wh)
