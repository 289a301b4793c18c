"""Campaign progress charts: a static HTML page with PNG images in <marts>/charts/.

Read from the published parquet marts (what analysts see, after the gate), one
chart per question an operator asks each fortnight: how many targets per city,
≥3-referral coverage, special-event cadence, employment by channel, reporting
timeliness, and the province's trend across cut-offs. A mart or column that does
not exist (yet) is listed on the page instead of failing the run.

Labels are Chinese, for the province and city staff who read them: city names,
Chinese titles and axes, counts with 万 once they pass ten thousand. The font is
Noto Sans CJK SC from the `mplfonts` wheel, registered with matplotlib when the first
chart is drawn, so no system font is needed (servers and CI have none).

The charts are drawn again only when what they are drawn from changed: the marts they
read, this module, matplotlib's and the font's versions (`charts_key`, kept in the
folder). A corrected upload that does not move a figure keeps the folder as it is, and
a run that keeps it never imports matplotlib.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import html
import importlib.metadata
import importlib.util
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import polars as pl

from pipelines import terms
from pipelines.publish.content_keys import writer_key
from pipelines.publish.files import SHARED, build_folder

if TYPE_CHECKING:
    import matplotlib.pyplot as plt

PROVINCE = terms.PROVINCE_CODE
Log = Callable[[str], object]
_MPLFONTS = importlib.util.find_spec("mplfonts")
assert _MPLFONTS is not None and _MPLFONTS.submodule_search_locations, "pip install mplfonts"
CJK_FONT_FILE = (
    Path(next(iter(_MPLFONTS.submodule_search_locations))) / "fonts" / "NotoSansCJKsc-Regular.otf"
)
# The marts the charts are drawn from, and the file that records what they were drawn from.
SOURCES = ("rpt_campaign_stats", "rpt_city_targets", "rpt_reporting_completeness")
KEY_FILE = ".charts_key.json"


@functools.cache
def pyplot() -> ModuleType:
    """matplotlib's pyplot, headless, with the bundled CJK font as the default (imported
    when the first chart is drawn: 0.4 s a run that keeps its charts does not spend)."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in CI
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(CJK_FONT_FILE))
    name = font_manager.FontProperties(fname=str(CJK_FONT_FILE)).get_name()
    plt.rcParams["font.family"] = [name]
    plt.rcParams["axes.unicode_minus"] = False  # the CJK font has no U+2212 minus sign
    plt.rcParams["svg.hashsalt"] = "warmheart"
    return plt


def _ticker() -> ModuleType:
    pyplot()
    from matplotlib import ticker

    return ticker


def use_cjk_font() -> str:
    """The name of the font the charts are drawn in (registered with matplotlib)."""
    return pyplot().rcParams["font.family"][0]


def chinese_number(value: float, _pos: object = None) -> str:
    """Counts as Chinese readers write them: 8,500 stays, 12,000 → 1.2万, 100,000,000 → 1亿."""
    if abs(value) >= 1e8:
        return f"{value / 1e8:.4g}亿"
    if abs(value) >= 1e4:
        return f"{value / 1e4:.4g}万"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _city_names(codes: list[str]) -> list[str]:
    return [terms.CITIES.get(c, terms.PROVINCE_NAME if c == PROVINCE else c) for c in codes]


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
    return df.filter((pl.col("cutoff_date") == cutoff) & (pl.col("city_code") != PROVINCE)).sort(
        "city_code"
    )


def _save(fig: plt.Figure, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})  # no version stamp: same figures, same bytes
    pyplot().close(fig)


def _bar(
    path: Path,
    codes: list[str],
    values: list[float],
    title: str,
    ylabel: str,
    target_line: float | None = None,
    percent: bool = False,
) -> None:
    fig, ax = pyplot().subplots(figsize=(10, 4.2), dpi=100)
    bars = ax.bar(_city_names(codes), values, color="#3a7ca5")
    if target_line is not None:
        ax.axhline(target_line, color="#c0392b", linestyle="--", linewidth=1)
    if percent:
        ax.set_ylim(0, max(1.1, max(values, default=0) * 1.1))
        ax.yaxis.set_major_formatter(_ticker().PercentFormatter(1.0, decimals=0))
        labels = [f"{v:.0%}" for v in values]
    else:
        ax.set_ylim(0, max(values, default=0) * 1.15 or 1)
        ax.yaxis.set_major_formatter(_ticker().FuncFormatter(chinese_number))
        labels = [chinese_number(v) for v in values]
    ax.bar_label(bars, labels=labels, fontsize=8, padding=2)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.tick_params(axis="x", rotation=45)
    _save(fig, path)


def _chart_targets(stats: pl.DataFrame, cutoff: dt.date, out: Path) -> str:
    cities = _latest_cities(stats, cutoff)
    _bar(
        out / "targets.png",
        cities["city_code"].to_list(),
        cities["targets_identified"].to_list(),
        f"各市认定的援助对象人数（截至{_date(cutoff)}）",
        "人数",
    )
    return "targets.png"


def _chart_trend(stats: pl.DataFrame, out: Path) -> str:
    prov = stats.filter(pl.col("city_code") == PROVINCE).sort("cutoff_date")
    fig, ax = pyplot().subplots(figsize=(10, 4.2), dpi=100)
    dates = [_date(d, year=False) for d in prov["cutoff_date"].to_list()]
    for col in ("targets_identified", "employed", "jobs_pushed", "visits"):
        if col in prov.columns:
            ax.plot(dates, prov[col].to_list(), marker="o", label=terms.REPORT_HEADERS[col])
    ax.set_title("全省各期累计数（活动开始至各截止日）")
    ax.set_xlabel("截止日期")
    ax.yaxis.set_major_formatter(_ticker().FuncFormatter(chinese_number))
    ax.legend(fontsize=8)
    _save(fig, out / "province_trend.png")
    return "province_trend.png"


def _chart_employment(stats: pl.DataFrame, cutoff: dt.date, out: Path) -> str:
    cities = _latest_cities(stats, cutoff)
    channels = {
        "企业吸纳": "employed_by_enterprise",
        "灵活就业": "employed_flexibly",
        "公益性岗位": "employed_public_welfare",
    }
    names = _city_names(cities["city_code"].to_list())
    fig, ax = pyplot().subplots(figsize=(10, 4.2), dpi=100)
    bottom = [0.0] * cities.height
    for label, col in channels.items():
        vals = cities[col].to_list()
        ax.bar(names, vals, bottom=bottom, label=label)
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    other = [max(e - b, 0) for e, b in zip(cities["employed"].to_list(), bottom, strict=True)]
    ax.bar(names, other, bottom=bottom, label="其他（自主创业、未填写）")
    ax.set_title(f"各市帮助援助对象实现就业人数（按就业方式，截至{_date(cutoff)}）")
    ax.set_ylabel("人数")
    # Headroom for the one-row legend above the tallest bar.
    ax.set_ylim(0, max([b + o for b, o in zip(bottom, other, strict=True)], default=0) * 1.3 or 1)
    ax.yaxis.set_major_formatter(_ticker().FuncFormatter(chinese_number))
    ax.tick_params(axis="x", rotation=45)
    ax.legend(fontsize=8, ncol=4, loc="upper left")
    _save(fig, out / "employment_by_channel.png")
    return "employment_by_channel.png"


# The campaign-target rates charted per city (rpt_city_targets): file, column, title
# ({date}: the cut-off), y-axis label.
RATE_CHARTS = (
    (
        "referral_coverage.png",
        "referral_coverage_rate",
        "获得 3 个及以上岗位推介的援助对象比例（截至{date}，虚线为全部）",
        "比例",
    ),
    (
        "event_cadence.png",
        "event_cadence_rate",
        "每 14 天至少举办 1 场专场招聘的达标比例（截至{date}）",
        "达标时段比例",
    ),
)


def _chart_city_targets(targets: pl.DataFrame, cutoff: dt.date, out: Path) -> list[str]:
    cities = _latest_cities(targets, cutoff)
    for name, column, title, ylabel in RATE_CHARTS:
        _bar(
            out / name,
            cities["city_code"].to_list(),
            cities[column].cast(pl.Float64).fill_null(0.0).to_list(),
            title.format(date=_date(cutoff)),
            ylabel,
            target_line=1.0,
            percent=True,
        )
    return [name for name, *_ in RATE_CHARTS]


def _chart_timeliness(comp: pl.DataFrame, cutoff: dt.date, out: Path) -> list[str]:
    comp = comp.filter((pl.col("city_code") != PROVINCE) & (pl.col("cutoff_date") <= cutoff))
    # Received on time / expected uploads, over every cut-off so far.
    rate = pl.col("on_time").cast(pl.Float64).sum() / pl.col("expected").cast(pl.Float64).sum()
    per_city = comp.group_by("city_code").agg(rate.alias("rate")).sort("city_code")
    _bar(
        out / "reporting_timeliness.png",
        per_city["city_code"].to_list(),
        per_city["rate"].fill_null(0.0).to_list(),
        f"各市按时上报比例（截至{_date(cutoff)}各期）",
        "按时比例",
        target_line=1.0,
        percent=True,
    )
    return ["reporting_timeliness.png"]


def _date(day: dt.date, year: bool = True) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if year else f"{day.month}月{day.day}日"


def _page(result: ChartsResult, captions: dict[str, str]) -> str:
    items = "\n".join(
        f'<figure><img src="{html.escape(c)}" alt="{html.escape(captions.get(c, c))}">'
        f"<figcaption>{html.escape(captions.get(c, c))}</figcaption></figure>"
        for c in result.charts
    )
    missing = "".join(f"<li>{html.escape(m)}</li>" for m in result.missing) or "<li>无</li>"
    latest = _date(dt.date.fromisoformat(result.cutoff)) if result.cutoff else "（尚无数据）"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>就业援助"暖心活动"进展</title>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;max-width:1100px}}
img{{max-width:100%}} figure{{margin:1.5em 0}}</style></head><body>
<h1>就业援助"暖心活动"进展</h1>
<p>最新截止日期：{html.escape(latest)}。各项数字均为活动开始至截止日的累计数。
（Campaign progress; figures are cumulative from the campaign start.）</p>
{items}
<h2>未能绘制的图表</h2><ul>{missing}</ul>
</body></html>
"""


CAPTIONS = {
    "targets.png": "各市认定的援助对象人数（最新一期）",
    "province_trend.png": "全省主要指标各期累计数",
    "employment_by_channel.png": "各市实现就业人数（按就业方式）",
    "referral_coverage.png": "各市 3 个及以上岗位推介覆盖率（虚线：全部援助对象）",
    "event_cadence.png": "各市专场招聘频次达标率（虚线：每个 14 天时段都有）",
    "reporting_timeliness.png": "各市按时上报比例",
}


def charts_key(marts_dir: Path) -> str:
    """sha256 of what the charts are drawn from: the marts they read (their bytes; the
    published parquet of the same rows is the same bytes), this module (`writer_key`),
    matplotlib's and the font's versions."""
    h = hashlib.sha256(writer_key(sys.modules[__name__]).encode())
    for package in ("matplotlib", "mplfonts"):
        h.update(f"\0{package}={importlib.metadata.version(package)}".encode())
    for name in SOURCES:
        path = marts_dir / f"{name}.parquet"
        h.update(f"\0{name}\0".encode())
        h.update(path.read_bytes() if path.exists() else b"missing")
    return h.hexdigest()


def _kept(folder: Path, key: str) -> ChartsResult | None:
    """The charts in `folder` when they were drawn under `key` and are all there."""
    try:
        recorded = json.loads((folder / KEY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if recorded.get("key") != key:
        return None
    result = ChartsResult(folder=folder, **recorded["result"])
    if not all((folder / name).is_file() for name in [*result.charts, "index.html"]):
        return None
    return result


def write_charts(marts_dir: Path, log: Log = print) -> ChartsResult:
    """Draw every chart the published marts allow into <marts_dir>/charts/ (swapped in
    whole), unless the folder holds the charts of the very same marts."""
    marts_dir.mkdir(parents=True, exist_ok=True)
    key = charts_key(marts_dir)
    kept = _kept(marts_dir / "charts", key)
    if kept is not None:
        log(
            f"charts: the marts they are drawn from are unchanged; kept ({len(kept.charts)} charts)"
        )
        return kept
    return _draw_charts(marts_dir, key, log)


def _draw_charts(marts_dir: Path, key: str, log: Log) -> ChartsResult:
    result = ChartsResult(folder=marts_dir / "charts")
    with build_folder(result.folder, SHARED) as staged:
        stats = _read(marts_dir, "rpt_campaign_stats", result.missing)
        if stats is not None and stats.height:
            cutoff = stats["cutoff_date"].max()
            result.cutoff = str(cutoff)
            result.charts += [
                _chart_targets(stats, cutoff, staged),
                _chart_trend(stats, staged),
                _chart_employment(stats, cutoff, staged),
            ]
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
        recorded = {k: v for k, v in dataclasses.asdict(result).items() if k != "folder"}
        (staged / KEY_FILE).write_text(
            json.dumps({"key": key, "result": recorded}, ensure_ascii=False), encoding="utf-8"
        )
    for m in result.missing:
        log(f"charts: not drawn: {m}")
    return result
