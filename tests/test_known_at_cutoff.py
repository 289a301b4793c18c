"""An earlier cut-off stays as it was reported: a later upload never changes it.

A posting or event is resent at a later cut-off with news (清理日期 filled in, 是否专场
corrected). Its attributes for cut-off T must come from what the province knew at T
(the latest folder <= T), not from the latest folder overall (docs/decisions.md).

济南, T1 = 08-15, T2 = 08-30:
  J1 published 08-02, 是否歧视性信息=是, no 清理日期 in T1's folder; T2's folder says
     清理日期 08-10. Known at T1: not removed yet. Known at T2: removed (in the window).
  E1 held 08-12, 是否专场=否 in T1's folder; T2's folder says 是 (现场招聘会).
     Known at T1: no special event. Known at T2: one, and it is an onsite fair.
  E2 held 08-15, 专场 in T1's folder, sent again unchanged at T2: counted at both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest

from tools.fixtures.raw_builder import RawBuilder, run_dbt

T1, T2 = "2022-08-15", "2022-08-30"
JINAN = "370100"
D = dt.date.fromisoformat


def _post(removed_on: dt.date | None) -> dict:
    return {
        "post_id": "J1",
        "employer": "某公司",
        "title": "普工",
        "openings": 2,
        "published_on": D("2022-08-02"),
        "is_discriminatory": "是",
        "removed_on": removed_on,
    }


def _event(eid: str, held: str, special: str) -> dict:
    return {"event_id": eid, "held_on": D(held), "event_form": "现场招聘会", "is_special": special}


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("known_at_t") / "warehouse.duckdb"
    raw = RawBuilder(path)
    raw.add_file("job_posts", [_post(None)], city=JINAN, cutoff=T1)
    raw.add_file("job_posts", [_post(D("2022-08-10"))], city=JINAN, cutoff=T2)
    raw.add_file(
        "events",
        [_event("E1", "2022-08-12", "否"), _event("E2", "2022-08-15", "是")],
        city=JINAN,
        cutoff=T1,
    )
    raw.add_file(
        "events",
        [_event("E1", "2022-08-12", "是"), _event("E2", "2022-08-15", "是")],
        city=JINAN,
        cutoff=T2,
    )
    raw.close()
    result = run_dbt(path, select="+rpt_campaign_stats +rpt_city_targets")
    assert result.returncode == 0, result.stdout[-5000:]
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def _figures(con: duckdb.DuckDBPyConnection, cutoff: str) -> tuple:
    return con.execute(
        "select discriminatory_posts_removed, special_recruitment_events, onsite_job_fairs, "
        "job_posts_collected from marts.rpt_campaign_stats where cutoff_date = ? and city_code = ?",
        [cutoff, JINAN],
    ).fetchone()


def test_a_later_upload_does_not_change_an_earlier_cutoffs_figures(con) -> None:
    assert _figures(con, T1) == (0, 1, 1, 1)


def test_the_later_cutoff_uses_the_news(con) -> None:
    assert _figures(con, T2) == (1, 2, 2, 1)


def test_the_event_cadence_of_an_earlier_cutoff_uses_what_was_known_then(con) -> None:
    # Block 2 (08-15..) has E2 at both cut-offs; block 1 has E1 (08-12), a 专场 only from T2 on.
    rows = con.execute(
        "select cutoff_date::varchar, event_blocks_met from marts.rpt_city_targets "
        "where city_code = ? and cutoff_date in (?, ?) order by cutoff_date",
        [JINAN, T1, T2],
    ).fetchall()
    assert rows == [(T1, 1), (T2, 2)]
