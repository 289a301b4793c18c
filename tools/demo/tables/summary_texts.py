"""典型案例 and 意见建议: free text some cities send with their last report, for the final
summary. Written as the cities write it: line breaks, full-width punctuation, and now and
then text a spreadsheet would take for a formula (=…, +…) — shown, never evaluated."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipelines import terms
from tools.demo.emit import Recorder, Rows, noise_list, truth_frame
from tools.demo.noise import CellNoise, tags
from tools.demo.tables.common import Context
from tools.demo.writers import NUMBER, TEXT, Sheet

CASES = (
    (
        "“一人一策”助{n}名长期失业人员重返岗位",
        "针对辖区长期失业人员逐户走访，建立台账，\n逐人制定帮扶计划，推荐岗位3个以上。",
    ),
    ("就业大篷车开进社区", "联合{n}家企业开展“就业大篷车”进社区活动，现场达成意向。"),
    ("=SUM(A1:A9) 公益性岗位托底安置", "对零就业家庭成员优先安置公益性岗位，确保“动态清零”。"),
)
SUGGESTIONS = (
    "建议省级统一岗位信息平台，减少重复报送。",
    "+1 建议增加公益性岗位数量，延长补贴期限。",
    "建议简化援助对象认定流程；\n对跨市流动人员明确归属。",
)


def names(kind: str):
    def _names(city: str, cut: dt.date) -> tuple[str, ...]:
        return (f"{city}{kind}", f"暖心活动{kind}", f"附件 {kind}（{cut:%m%d}）")

    return _names


class SummaryTexts:
    table = terms.CASES

    def prepare(self, ctx: Context) -> None:
        self.ctx = ctx
        self.texts: dict[str, tuple[pl.DataFrame, pl.DataFrame]] = {}
        for city in terms.CITIES:
            r = ctx.rng("summary_texts", city)
            if r.random() < 0.4:
                continue  # this city sends no texts
            cases = [
                (
                    t.format(n=int(r.integers(3, 30))),
                    c.format(n=int(r.integers(3, 30))),
                    int(r.integers(1, 40)),
                )
                for t, c in (
                    CASES[int(i)]
                    for i in r.choice(len(CASES), int(r.integers(1, 3)), replace=False)
                )
            ]
            sugg = [
                SUGGESTIONS[int(i)]
                for i in r.choice(len(SUGGESTIONS), int(r.integers(1, 3)), replace=False)
            ]
            self.texts[city] = (
                pl.DataFrame(
                    {
                        "title": [c[0] for c in cases],
                        "content": [c[1] for c in cases],
                        "people_involved": [c[2] for c in cases],
                    }
                ),
                pl.DataFrame({"content": sugg}),
            )

    def write(self, rec: Recorder, city: str, idx: int) -> None:
        if city not in self.texts or idx != len(self.ctx.campaign.cutoffs) - 1:
            return
        cases, sugg = self.texts[city]
        for table, recs, what in (
            (terms.CASES, cases, "典型案例"),
            (terms.SUGGESTIONS, sugg, "意见建议"),
        ):

            def build(
                nz: CellNoise, fmt: str, recs: pl.DataFrame = recs, table: terms.Table = table
            ) -> Rows:
                text = recs.select([pl.col(c.name).cast(pl.String) for c in table.columns])
                formula = recs["content"].str.contains(r"^[=+]") | (
                    recs["title"].str.contains(r"^[=+]") if "title" in recs.columns else False
                )
                noise = noise_list(tags(formula.to_numpy(), "formula_like_text"))
                types: dict[str, int | pl.Series] = {
                    "content": pl.Series([TEXT] * recs.height, dtype=pl.UInt8)
                }
                if "people_involved" in recs.columns:
                    types["people_involved"] = NUMBER
                return Rows(Sheet([], text, types), truth_frame(None, noise), recs)

            rec.slot_table(city, idx, table, what, names(what), build, nrows=recs.height)
