"""Cell normalisation: every date form, full-width folding, numbers, multi-values, numeric IDs."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pipelines.ingest import normalize as nz


def _apply(fn, values: list[str | None]) -> list:
    df = pl.DataFrame({"t": values}, schema={"t": pl.String})
    return df.select(fn(nz.clean_text(pl.col("t")))).to_series().to_list()


AUG5 = dt.date(2022, 8, 5)


@pytest.mark.parametrize(
    "text",
    [
        "2022-08-05",
        "2022/8/5",
        "2022.8.5",
        "20220805",
        "2022年8月5日",
        "2022-08-05 00:00:00",
        "44778",
        "44778.0",
        "２０２２－０８－０５",
        " 2022 年 8 月 5 日 ",
        "2022-8-5T00:00:00",
    ],
)
def test_every_contract_date_form_parses_to_the_same_day(text: str) -> None:
    assert _apply(nz.parse_date, [text]) == [AUG5]


@pytest.mark.parametrize("text", ["2022-02-30", "明天", "2022-13-01", "123", "8/5/2022"])
def test_impossible_or_foreign_dates_are_null(text: str) -> None:
    assert _apply(nz.parse_date, [text]) == [None]


def test_clean_text_folds_full_width_trims_and_collapses_spaces() -> None:
    assert _apply(lambda e: e, ["  ＡＢＣ１２３　 张  三 ", "　", "", None]) == [
        "ABC123 张 三",
        None,
        None,
        None,
    ]


def test_ints_accept_spreadsheet_floats_and_full_width_digits_but_not_fractions() -> None:
    assert _apply(nz.parse_int, ["12.0", "１２", "1,200", "12.5", "十二"]) == [
        12,
        12,
        1200,
        None,
        None,
    ]


def test_money_drops_thousands_separators_currency_and_yuan() -> None:
    assert _apply(nz.parse_money, ["1,234.50元", "￥800", "５００", "abc"]) == [
        1234.5,
        800.0,
        500.0,
        None,
    ]


def test_multi_values_split_on_every_contract_separator() -> None:
    out = _apply(
        nz.split_multi,
        ["长期失业人员、大龄失业人员，残疾失业人员;低保家庭失业人员／其他就业困难人员 x"],
    )
    assert out == [
        [
            "长期失业人员",
            "大龄失业人员",
            "残疾失业人员",
            "低保家庭失业人员",
            "其他就业困难人员",
            "x",
        ]
    ]


def test_numeric_id_keeps_15_digits_exact_and_marks_18_digits_as_lost() -> None:
    out = _apply(nz.numeric_id, ["370102800101123", "370102198001011328", "370102800101123.0"])
    assert out == ["370102800101123", "3.70102198E+17", "370102800101123"]


def test_fold_str_matches_the_vectorised_fold() -> None:
    assert nz.fold_str("发放金额（元）") == "发放金额(元)"
