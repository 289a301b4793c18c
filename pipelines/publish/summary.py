"""Write the final summary (活动总结, contract §10): the workbook and the printable page,
built aside and swapped into <marts>/summary/ whole, so a failed run leaves the last
summary untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.campaign import Campaign
from pipelines.publish.files import SHARED, build_folder
from pipelines.publish.summary_data import load_summary
from pipelines.publish.summary_page import write_summary_page
from pipelines.publish.summary_xlsx import write_summary_xlsx

SUMMARY_FOLDER = "summary"
WORKBOOK_NAME = "活动总结.xlsx"
PAGE_NAME = "活动总结.html"


@dataclass
class SummaryResult:
    folder: Path
    files: list[Path] = field(default_factory=list)
    cutoff: str = ""


def write_summary(
    con: duckdb.DuckDBPyConnection, campaign: Campaign, marts_dir: Path
) -> SummaryResult:
    """Build the summary of the campaign's last cut-off into <marts_dir>/summary/."""
    summary = load_summary(con, campaign)
    result = SummaryResult(folder=marts_dir / SUMMARY_FOLDER, cutoff=str(summary.cutoff))
    marts_dir.mkdir(parents=True, exist_ok=True)
    with build_folder(result.folder, SHARED) as staged:
        write_summary_xlsx(summary, staged / WORKBOOK_NAME)
        write_summary_page(summary, staged / PAGE_NAME)
    result.files = [result.folder / WORKBOOK_NAME, result.folder / PAGE_NAME]
    return result
