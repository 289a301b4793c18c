import datetime as dt
from pathlib import Path

import duckdb
import pytest

from pipelines.campaign import load_campaign, write_campaign_tables


def test_2022_campaign_has_the_six_cutoffs_of_the_contract():
    c = load_campaign("2022-warm-heart")
    assert c.start == dt.date(2022, 8, 1) and c.end == dt.date(2022, 10, 31)
    assert c.cutoff_keys == [
        "2022-08-15",
        "2022-08-30",
        "2022-09-15",
        "2022-09-30",
        "2022-10-15",
        "2022-10-31",
    ]
    assert c.thresholds.min_referrals_per_target == 3
    assert c.thresholds.special_event_block_days == 14


def test_a_second_campaign_is_only_a_new_file(tmp_path: Path):
    path = tmp_path / "2023-warm-heart.toml"
    path.write_text(
        'id = "2023-warm-heart"\nname = "2023"\nstart = 2023-02-01\nend = 2023-03-31\n'
        "cutoffs = [2023-02-15, 2023-02-28, 2023-03-15, 2023-03-31]\n"
        "[thresholds]\nmin_referrals_per_target = 5\n",
        encoding="utf-8",
    )
    c = load_campaign(path=path)
    assert c.cutoffs[1] == dt.date(2023, 2, 28)
    assert c.thresholds.min_referrals_per_target == 5
    assert c.thresholds.special_event_block_days == 14  # default kept


def test_cutoffs_outside_the_window_are_rejected(tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text(
        'id = "bad"\nname = "x"\nstart = 2022-08-01\nend = 2022-08-31\ncutoffs = [2022-09-15]\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="outside the window"):
        load_campaign(path=path)


def test_unknown_campaign_names_the_known_ones():
    with pytest.raises(FileNotFoundError, match="2022-warm-heart"):
        load_campaign("no-such-campaign")


def test_cutoff_for_a_day_is_the_next_cutoff():
    c = load_campaign()
    assert c.cutoff_for(dt.date(2022, 8, 15)) == dt.date(2022, 8, 15)
    assert c.cutoff_for(dt.date(2022, 8, 16)) == dt.date(2022, 8, 30)
    assert c.cutoff_for(dt.date(2022, 11, 1)) is None


def test_campaign_tables_carry_window_cutoffs_and_thresholds():
    con = duckdb.connect()
    write_campaign_tables(con, load_campaign())
    assert con.execute(
        "select count(*), min(cutoff_seq), max(cutoff_seq) from raw.campaign_cutoffs"
    ).fetchone() == (6, 1, 6)
    start, block = con.execute(
        "select campaign_start, special_event_block_days from raw.campaign"
    ).fetchone()
    assert start == dt.date(2022, 8, 1) and block == 14
