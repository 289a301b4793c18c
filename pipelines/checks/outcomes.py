"""What one check said: shared by the GX runner, the Python invariants and the gate report."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["blocking", "warning"]
MAX_EXAMPLES = 5


def json_safe(value: Any) -> Any:
    """Cells as the report can print them (dates as ISO text, NaN as null)."""
    if value is None:
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value if isinstance(value, str | int | float | bool) else str(value)


@dataclass
class CheckOutcome:
    """One expectation or invariant on one table, with counts and a few offending rows."""

    name: str  # the expectation type or the Python check's name
    table: str  # the warehouse table, e.g. raw.reg_temp_relief
    suite: str  # the suite file's name, or "python"
    severity: Severity
    success: bool
    why: str
    column: str | None = None
    unexpected_count: int | None = None
    element_count: int | None = None
    examples: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    engine: Literal["gx", "python"] = "gx"

    @property
    def blocking_failure(self) -> bool:
        return not self.success and self.severity == "blocking"

    def summary(self) -> str:
        """One line: what failed on which table, how often, and where the first offenders are."""
        what = f"{self.name}" + (f"({self.column})" if self.column else "")
        if self.success:
            return f"passed {what} on {self.table}"
        if self.error:
            return f"{what} on {self.table} could not run: {self.error}"
        count = (
            f"{self.unexpected_count} of {self.element_count} rows"
            if (self.unexpected_count is not None)
            else "failed"
        )
        where = "; ".join(_example_text(e) for e in self.examples[:3])
        return f"{what} on {self.table}: {count} — {self.why}" + (
            f" — e.g. {where}" if where else ""
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _example_text(example: dict[str, Any]) -> str:
    parts = []
    if example.get("_file_path"):
        parts.append(str(example["_file_path"]))
    if example.get("_source_row") is not None:
        parts.append(f"row {example['_source_row']}")
    rest = {
        k: v for k, v in example.items() if k not in ("_file_path", "_source_row") and v is not None
    }
    if rest:
        parts.append(", ".join(f"{k}={v}" for k, v in rest.items()))
    return " ".join(parts)
