"""Walking the raw root and placing every file (contract §2).

    submissions/<campaign_id>/<cutoff YYYY-MM-DD>/<city_code>/<any name>
    registries/<source>/<any name>

A file anywhere else, or under a folder that is not a date / known city / known
registry, is still registered, and quarantined as `bad_location` so an operator
sees it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines import terms

# Office lock files and OS clutter are never uploads.
_IGNORED = re.compile(r"^(\.|~\$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)


@dataclass(frozen=True)
class Location:
    path: Path
    rel_path: str  # POSIX, relative to the raw root
    source: str | None = None  # submission | registry
    campaign_id: str | None = None
    cutoff_date: dt.date | None = None
    city_code: str | None = None
    city_code_raw: str | None = None
    registry_source: str | None = None
    problem: str | None = None  # why the location is bad, for an operator

    @property
    def candidates(self) -> tuple[terms.Table, ...]:
        """The tables a file here may be."""
        if self.source == "submission":
            return terms.SUBMISSION_TABLES
        if self.source == "registry" and self.registry_source in terms.REGISTRY_BY_FOLDER:
            return (terms.REGISTRY_BY_FOLDER[self.registry_source],)
        return ()


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


def locate(raw_root: Path, path: Path) -> Location:
    rel = path.relative_to(raw_root).as_posix()
    parts = rel.split("/")
    expected = (
        "expected submissions/<campaign>/<YYYY-MM-DD>/<city code>/<file> "
        "or registries/<source>/<file>"
    )
    if parts[0] == "submissions":
        if len(parts) != 5:
            return Location(path, rel, "submission", problem=f"file is not in a city folder ({expected})")
        _, campaign_id, cutoff_raw, city_raw, _ = parts
        cutoff = _parse_date(cutoff_raw)
        city = terms.normalize_city_code(city_raw)
        loc = Location(path, rel, "submission", campaign_id, cutoff, city if city in terms.CITIES else None,
                       city_raw)
        if cutoff is None:
            return _bad(loc, f"cut-off folder '{cutoff_raw}' is not a date YYYY-MM-DD")
        if city not in terms.CITIES:
            return _bad(loc, f"city folder '{city_raw}' is not a Shandong city code")
        return loc
    if parts[0] == "registries":
        if len(parts) != 3:
            return Location(path, rel, "registry", problem=f"file is not in a registry folder ({expected})")
        folder = parts[1]
        if folder not in terms.REGISTRY_BY_FOLDER:
            known = ", ".join(terms.REGISTRY_BY_FOLDER)
            return Location(path, rel, "registry", registry_source=folder,
                            problem=f"registry folder '{folder}' is unknown (known: {known})")
        return Location(path, rel, "registry", registry_source=folder)
    return Location(path, rel, problem=f"file is outside the upload folders ({expected})")


def _bad(loc: Location, problem: str) -> Location:
    return Location(**{**loc.__dict__, "problem": problem})


def discover(raw_root: Path) -> list[Location]:
    """Every file under the raw root, in a stable order (by relative path)."""
    if not raw_root.exists():
        return []
    files = [
        p for p in raw_root.rglob("*")
        if p.is_file() and not any(_IGNORED.match(part) for part in p.relative_to(raw_root).parts)
    ]
    return [locate(raw_root, p) for p in sorted(files, key=lambda p: p.relative_to(raw_root).as_posix())]
