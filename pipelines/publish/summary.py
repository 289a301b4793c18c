"""Write the final summary (活动总结, contract §10): the workbook and the printable page,
built aside and swapped into <marts>/summary/ whole, so a failed run leaves the last
summary untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.campaign import Campaign
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


def write_summary(con: duckdb.DuckDBPyConnection, campaign: Campaign, marts_dir: Path) -> SummaryResult:
    """Build the summary of the campaign's last cut-off into <marts_dir>/summary/."""
    summary = load_summary(con, campaign)
    result = SummaryResult(folder=marts_dir / SUMMARY_FOLDER, cutoff=str(summary.cutoff))
    marts_dir.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".summary-", dir=marts_dir))
    try:
        write_summary_xlsx(summary, staged / WORKBOOK_NAME)
        write_summary_page(summary, staged / PAGE_NAME)
        old = marts_dir / f".{SUMMARY_FOLDER}.old"
        shutil.rmtree(old, ignore_errors=True)
        if result.folder.exists():
            os.replace(result.folder, old)
        os.replace(staged, result.folder)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    result.files = [result.folder / WORKBOOK_NAME, result.folder / PAGE_NAME]
    return result
