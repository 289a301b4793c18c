"""The provincial registries (docs/contract.md §4): two full extracts per registry, an older
partial one and the latest; a record in both is spelled the same in both."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from pipelines import terms
from tools.demo.emit import Recorder, Rows, noise_list, truth_frame
from tools.demo.noise import CellNoise, tags
from tools.demo.tables.common import Context
from tools.demo.writers import Sheet

FIXED_FORMATS = {
    "unemployment_registration": "csv:gb18030",
    "ui_benefits": "csv:utf-8",
    "dibao": "xlsx",
    "temp_relief": "xlsx",
    "disability": "csv:utf-8-sig",
    "poverty_alleviated": "xlsx",
    "graduates": "csv:utf-8-sig",
}
EXTRACTS = (
    (0, "2022年8月提取", dt.datetime(2022, 8, 20, 10, 0)),
    (1, "2022年10月底全量", dt.datetime(2022, 11, 2, 9, 30)),
)
DISABILITY_KINDS = ("视力残疾", "听力残疾", "肢体残疾", "智力残疾", "精神残疾")
# Per registry: its date columns, its money column, and the logical columns truth.py reads.
DATES = {
    "unemployment_registration": ("registered_on", "cancelled_on"),
    "ui_benefits": ("paid_on",),
    "dibao": ("started_on", "ended_on"),
    "temp_relief": ("paid_on",),
    "disability": ("certified_on",),
    "poverty_alleviated": (),
    "graduates": ("graduated_on",),
}
LOGICAL = {
    "unemployment_registration": ("registered_on", "cancelled_on"),
    "ui_benefits": ("payment_id", "paid_on", "amount_yuan"),
    "dibao": ("started_on", "ended_on"),
    "temp_relief": ("payment_id", "paid_on", "amount_yuan"),
    "disability": ("certified_on",),
    "poverty_alleviated": (),
    "graduates": ("employment_status",),
}


def records(ctx: Context) -> dict[str, pl.DataFrame]:
    """Every registry's records, person by person (pid, name, region, home_city, values)."""
    rng = ctx.rng("registries")
    recs: dict[str, list[dict]] = {t.registry_folder: [] for t in terms.REGISTRY_TABLES}  # type: ignore[misc]
    pay_no = 0
    for p in ctx.world.all_people():
        who = {"pid": p.pid, "name": p.name, "region": p.region, "home_city": p.home_city}
        if p.reg_on:
            recs["unemployment_registration"].append(
                {
                    **who,
                    "registered_on": p.reg_on,
                    "cancelled_on": p.reg_cancel,
                    "cancel_reason": p.reg_cancel_reason if p.reg_cancel else None,
                }
            )
        if p.old_reg:
            recs["unemployment_registration"].append(
                {
                    **who,
                    "registered_on": p.old_reg[0],
                    "cancelled_on": p.old_reg[1],
                    "cancel_reason": "已就业",
                }
            )
        # The two payment registries: one numbering across both, as the offices share it.
        for table, payments, type_column, payment_id in (
            ("ui_benefits", p.ui_payments, "benefit_type", "SY{day:%Y%m}{no:08d}"),
            ("temp_relief", p.relief_payments, "relief_type", "LS{day:%Y%m%d}{no:07d}"),
        ):
            for day, kind, amount in payments:
                pay_no += 1
                recs[table].append(
                    {
                        **who,
                        "payment_id": payment_id.format(day=day, no=pay_no),
                        type_column: kind,
                        "paid_on": day,
                        "amount_yuan": amount,
                    }
                )
        if p.dibao:
            recs["dibao"].append(
                {
                    **who,
                    "household_id": p.household,
                    "dibao_type": terms.DIBAO_TYPES[p.region[4] in "2345678"],
                    "started_on": p.dibao[0],
                    "ended_on": p.dibao[1],
                }
            )
        if p.disabled_on:
            recs["disability"].append(
                {
                    **who,
                    "disability_type": DISABILITY_KINDS[int(rng.integers(5))],
                    "disability_grade": f"{int(rng.integers(1, 5))}级",
                    "certified_on": p.disabled_on,
                }
            )
        if p.poverty:
            recs["poverty_alleviated"].append({**who, "household_id": p.household})
        if p.graduate and p.school and not p.employed_on:
            recs["graduates"].append(
                {
                    **who,
                    "school": p.school,
                    "degree": p.degree,
                    "graduated_on": p.grad_on,
                    "employment_status": terms.UNEMPLOYED,
                }
            )
    out = {}
    for t in terms.REGISTRY_TABLES:
        folder = str(t.registry_folder)
        schema = {
            c.name: (
                pl.Date if c.kind == "date" else pl.Float64 if c.kind == "money" else pl.String
            )
            for c in t.columns
            if c.name not in ("id_number", "name", "city_code")
        }
        out[folder] = pl.DataFrame(
            recs[folder],
            schema={
                "pid": pl.String,
                "name": pl.String,
                "region": pl.String,
                "home_city": pl.String,
                **schema,
            },
        )
    return out


def spelled(ctx: Context, folder: str, recs: pl.DataFrame, scale: float) -> dict[str, pl.Series]:
    """ID, name and 市代码 of each record as the registry spells them (once per record)."""
    nz = CellNoise(ctx.rng("registry cells", folder), scale)
    ids = nz.ids(recs["pid"], "csv", typo_rate=0.001, numeric_as_text=True)
    name, name_tag = nz.names(recs["name"])
    jinan = (recs["home_city"] == "370100").to_numpy()
    laiwu = jinan & (recs["region"].str.starts_with("3712").to_numpy() | nz.hit(recs.height, 0.05))
    city = pl.Series(np.where(laiwu, "371200", recs["home_city"].to_numpy()), dtype=pl.String)
    return {
        "id_cell": ids.cell,
        "id_text": ids.text,
        "id_tag": ids.tag,
        "name": name,
        "name_tag": name_tag,
        "city": city,
        "city_tag": tags(laiwu, "city_code_371200"),
    }


def write(ctx: Context, rec: Recorder) -> int:
    total = 0
    for table, (folder, recs) in zip(terms.REGISTRY_TABLES, records(ctx).items(), strict=True):
        assert table.registry_folder == folder
        cells = spelled(ctx, folder, recs, rec.scale)
        older = ctx.rng("registry extract", folder).random(recs.height) < 0.3
        for version, stem, when in EXTRACTS:
            keep = older if version == 0 else np.ones(recs.height, dtype=bool)
            pick = rec.noise("registry", folder, version)
            fmt, enc = ctx.plan.choose_format(
                pick, None, int(keep.sum()), len(table.columns), FIXED_FORMATS[folder]
            )
            rows = extract_rows(
                table,
                folder,
                recs.filter(pl.Series(keep)),
                {k: v.filter(pl.Series(keep)) for k, v in cells.items()},
                pick,
                fmt,
                version,
            )
            rel = f"registries/{folder}/{table.title}_{stem}.{fmt}"
            rec.emit(rel, table, fmt, enc, rows, pick, when, None, None)
        total += recs.height
    return total


def extract_rows(
    table: terms.Table,
    folder: str,
    recs: pl.DataFrame,
    cells: dict[str, pl.Series],
    nz: CellNoise,
    fmt: str,
    version: int,
) -> Rows:
    n = recs.height
    style, date_tag = nz.row_date_styles(n, nz.file_date_style(fmt), fmt)
    text: dict[str, pl.Series] = {}
    types: dict[str, pl.Series | int] = {}
    for col in DATES[folder]:
        text[col], types[col] = nz.dates(recs[col], style)
    money_tag = pl.Series([None] * n, dtype=pl.String)
    if "amount_yuan" in recs.columns:
        text["amount_yuan"], types["amount_yuan"], money_tag = nz.money(recs["amount_yuan"], fmt)
    text |= {"id_number": cells["id_cell"], "name": cells["name"], "city_code": cells["city"]}
    sheet = pl.DataFrame(
        {
            c.name: text[c.name] if c.name in text else recs[c.name].cast(pl.String)
            for c in table.columns
        }
    )
    noise = noise_list(
        tags(np.full(n, version == 0), "registry_duplicate"),
        cells["id_tag"],
        cells["name_tag"],
        cells["city_tag"],
        date_tag if DATES[folder] else pl.Series([None] * n, dtype=pl.String),
        money_tag,
    )
    logical = pl.DataFrame({"id_text": cells["id_text"], "name_text": cells["name"]}).with_columns(
        recs.select(LOGICAL[folder])
    )
    return Rows(Sheet([], sheet, types), truth_frame(recs["pid"], noise), logical)
