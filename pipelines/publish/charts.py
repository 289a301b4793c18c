"""Campaign progress charts: a static HTML page with PNG images in <marts>/charts/.

Read from the published parquet marts (what analysts see, after the gate), one
chart per question an operator asks each fortnight: how many targets per city,
≥3-referral coverage, special-event cadence, employment by channel, reporting
timeliness, and the province's trend across cut-offs. A mart or column that does
not exist (yet) is listed on the page instead of failing the run.

Labels are English with city codes: CI and servers have no CJK font, and a chart
must not depend on one being installed.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on servers and in CI
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402

from pipelines import terms  # noqa: E402

PROVINCE = terms.PROVINCE_CODE
Log = Callable[[str], object]


@dataclass
class ChartsResult:
    folder: Path
    cutoff: str | None = None
    charts: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _read(marts_dir: Path, name: str, missing: list[str]) -> pl.DataFrame | None:
    path = marts_dir / f"{name}.parquet"
    if not path.exists():
        missing.append(f"{name}: mart not published yet ({path.name} absent)")
        return None
    return pl.read_parquet(path)


def _latest_cities(df: pl.DataFrame, cutoff: dt.date) -> pl.DataFrame:
    return (df.filter((pl.col("cutoff_date") == cutoff) & (pl.col("city_code") != PROVINCE))
              .sort("city_code"))


def _bar(path: Path, cities: list[str], values: list[float], title: str, ylabel: str,
         target_line: float | None = None, percent: bool = False) -> None:
    fig, ax = plt.subplots(figsize=(10, 4.2), dpi=100)
    ax.bar(cities, values, color="#3a7ca5")
    if target_line is not None:
        ax.axhline(target_line, color="#c0392b", linestyle="--", linewidth=1)
    if percent:
        ax.set_ylim(0, max(1.05, max(values, default=0) * 1.05))
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("city code")
    ax.tick_params(axis="x", rotation=60)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _chart_targets(stats: pl.DataFrame, cutoff: dt.date, out: Path) -> str:
    cities = _latest_cities(stats, cutoff)
    _bar(out / "targets.png", cities["city_code"].to_list(), cities["targets_identified"].to_list(),
         f"Assistance targets identified, cumulative to {cutoff}", "targets")
    return "targets.png"


def _chart_trend(stats: pl.DataFrame, out: Path) -> str:
    prov = stats.filter(pl.col("city_code") == PROVINCE).sort("cutoff_date")
    fig, ax = plt.subplots(figsize=(10, 4.2), dpi=100)
    for col in ("targets_identified", "employed", "jobs_pushed", "visits"):
        if col in prov.columns:
            ax.plot(prov["cutoff_date"].to_list(), prov[col].to_list(), marker="o", label=col)
    ax.set_title("Province (370000), cumulative by cut-off")
    ax.legend()
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(out / "province_trend.png")
    plt.close(fig)
    return "province_trend.png"


def _chart_employment(stats: pl.DataFrame, cutoff: dt.date, out: Path) -> str:
    cities = _latest_cities(stats, cutoff)
    channels = {"enterprise": "employed_by_enterprise", "flexible": "employed_flexibly",
                "public welfare": "employed_public_welfare"}
    fig, ax = plt.subplots(figsize=(10, 4.2), dpi=100)
    bottom = [0.0] * cities.height
    for label, col in channels.items():
        vals = cities[col].to_list()
        ax.bar(cities["city_code"].to_list(), vals, bottom=bottom, label=label)
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    other = [max(e - b, 0) for e, b in zip(cities["employed"].to_list(), bottom, strict=True)]
    ax.bar(cities["city_code"].to_list(), other, bottom=bottom, label="other (self-employed, unknown)")
    ax.set_title(f"Targets employed in the campaign by channel, to {cutoff}")
    ax.set_ylabel("persons")
    ax.tick_params(axis="x", rotation=60)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "employment_by_channel.png")
    plt.close(fig)
    return "employment_by_channel.png"


def _chart_city_targets(targets: pl.DataFrame, cutoff: dt.date, out: Path) -> list[str]:
    cities = _latest_cities(targets, cutoff)
    _bar(out / "referral_coverage.png", cities["city_code"].to_list(),
         cities["referral_coverage_rate"].cast(pl.Float64).fill_null(0.0).to_list(),
         f"Targets with >= 3 job referrals (of those applicable), to {cutoff}", "share",
         target_line=1.0, percent=True)
    _bar(out / "event_cadence.png", cities["city_code"].to_list(),
         cities["event_cadence_rate"].cast(pl.Float64).fill_null(0.0).to_list(),
         f"14-day blocks with >= 1 special recruitment event, to {cutoff}", "share of blocks",
         target_line=1.0, percent=True)
    return ["referral_coverage.png", "event_cadence.png"]


def _chart_timeliness(comp: pl.DataFrame, cutoff: dt.date, out: Path) -> list[str]:
    comp = comp.filter((pl.col("city_code") != PROVINCE) & (pl.col("cutoff_date") <= cutoff))
    # Received on time / expected uploads (counts or flags), over every cut-off so far.
    num = pl.col("on_time").cast(pl.Float64).sum()
    den = pl.col("expected").cast(pl.Float64).sum()
    per_city = comp.group_by("city_code").agg((num / den).alias("rate"))
    per_city = per_city.sort("city_code")
    _bar(out / "reporting_timeliness.png", per_city["city_code"].to_list(),
         per_city["rate"].fill_null(0.0).to_list(),
         f"Expected uploads received on time, all cut-offs to {cutoff}", "share", target_line=1.0,
         percent=True)
    return ["reporting_timeliness.png"]


def _page(result: ChartsResult, captions: dict[str, str]) -> str:
    items = "\n".join(
        f'<figure><img src="{html.escape(c)}" alt="{html.escape(captions.get(c, c))}">'
        f"<figcaption>{html.escape(captions.get(c, c))}</figcaption></figure>" for c in result.charts)
    missing = "".join(f"<li>{html.escape(m)}</li>" for m in result.missing) or "<li>nothing</li>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Warm Heart campaign progress</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}img{{max-width:100%}}
figure{{margin:1.5em 0}}</style></head><body>
<h1>Warm Heart campaign progress (就业援助"暖心活动")</h1>
<p>Latest cut-off: {html.escape(str(result.cutoff))}. Figures are cumulative from the campaign start;
cities are GB/T 2260 codes, 370000 is the province.</p>
{items}
<h2>Not shown</h2><ul>{missing}</ul>
</body></html>
"""


CAPTIONS = {
    "targets.png": "Targets identified per city (latest cut-off)",
    "province_trend.png": "Province totals by cut-off",
    "employment_by_channel.png": "Employment by channel per city",
    "referral_coverage.png": ">= 3 referral coverage per city (dashed line: every target)",
    "event_cadence.png": "Special-event cadence per city (dashed line: every 14-day block)",
    "reporting_timeliness.png": "Reporting timeliness per city",
}


def write_charts(marts_dir: Path, log: Log = print) -> ChartsResult:
    """Draw every chart the published marts allow into <marts_dir>/charts/ (swapped in whole)."""
    marts_dir.mkdir(parents=True, exist_ok=True)
    result = ChartsResult(folder=marts_dir / "charts")
    staged = Path(tempfile.mkdtemp(prefix=".charts-", dir=marts_dir))
    try:
        stats = _read(marts_dir, "rpt_campaign_stats", result.missing)
        if stats is not None and stats.height:
            cutoff = stats["cutoff_date"].max()
            result.cutoff = str(cutoff)
            result.charts += [_chart_targets(stats, cutoff, staged), _chart_trend(stats, staged),
                              _chart_employment(stats, cutoff, staged)]
            log(f"charts: report figures drawn for cut-off {cutoff}")
            targets = _read(marts_dir, "rpt_city_targets", result.missing)
            if targets is not None:
                result.charts += _chart_city_targets(targets, cutoff, staged)
            comp = _read(marts_dir, "rpt_reporting_completeness", result.missing)
            if comp is not None:
                result.charts += _chart_timeliness(comp, cutoff, staged)
        elif stats is not None:
            result.missing.append("rpt_campaign_stats: no rows")
        (staged / "index.html").write_text(_page(result, CAPTIONS), encoding="utf-8")
        old = marts_dir / ".charts.old"
        shutil.rmtree(old, ignore_errors=True)
        if result.folder.exists():
            os.replace(result.folder, old)
        os.replace(staged, result.folder)
        shutil.rmtree(old, ignore_errors=True)
        for m in result.missing:
            log(f"charts: not drawn: {m}")
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return result
