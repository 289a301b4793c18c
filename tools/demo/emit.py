"""Writing files and recording what they hold: the file register, the truth about every
data row (rows.parquet) and the values a correct ingestion loads (truth.py's input).

Everything is kept as polars frames, one per file, so a province-sized campaign never
holds millions of Python objects.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from pipelines import terms
from tools.demo import writers
from tools.demo.noise import CellNoise
from tools.demo.plan import Plan
from tools.demo.writers import Sheet

CHINA = dt.timezone(dt.timedelta(hours=8))


def china_epoch(t: dt.datetime) -> int:
    return int(t.replace(tzinfo=CHINA).timestamp())


@dataclass
class FileRec:
    path: str
    table: str
    city: str | None
    cutoff: dt.date | None
    received: dt.datetime  # China time, naive
    fmt: str
    encoding: str | None
    noise: list[str]


@dataclass
class Rows:
    """One table's rows for one file: cells as written, and per row the truth.

    `truth`: person_id (the true ID, null for postings/events), noise (list of kinds),
    expected (loaded | quarantined). `logical`: the values a correct ingestion loads
    (truth.py's input), one row per data row."""

    sheet: Sheet
    truth: pl.DataFrame
    logical: pl.DataFrame

    def filter(self, keep: np.ndarray) -> Rows:
        mask = pl.Series(keep)
        return Rows(self.sheet.filter(mask), self.truth.filter(mask), self.logical.filter(mask))


def noise_list(*columns: pl.Series) -> pl.Series:
    """Per-row noise kinds from tag columns (null = no noise of that kind), as "|"-joined
    text: millions of tiny lists are slow to build; rows.parquet gets lists at the end."""
    df = pl.DataFrame({f"t{i}": c for i, c in enumerate(columns)})
    return df.select(
        pl.concat_str(pl.all(), separator="|", ignore_nulls=True).alias("noise")
    ).to_series()


def truth_frame(
    person_id: pl.Series | None, noise: pl.Series, expected: pl.Series | None = None
) -> pl.DataFrame:
    n = len(noise)
    return pl.DataFrame(
        {
            "person_id": person_id
            if person_id is not None
            else pl.Series([None] * n, dtype=pl.String),
            "noise": noise,
            "expected": expected
            if expected is not None
            else pl.Series(["loaded"] * n, dtype=pl.String),
        },
        schema={"person_id": pl.String, "noise": pl.String, "expected": pl.String},
    )


def file_rng(seed: int, *key: object) -> np.random.Generator:
    """An independent stream per file, so one file's draws never shift another's."""
    digest = hashlib.sha256(repr((seed, *key)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


@dataclass
class Recorder:
    out: Path
    plan: Plan
    seed: int
    scale: float
    files: list[FileRec] = field(default_factory=list)
    rows: list[pl.DataFrame] = field(default_factory=list)
    logical: dict[str, list[pl.DataFrame]] = field(default_factory=lambda: defaultdict(list))
    file_noise: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    n_rows: int = 0
    # Where `spill` moves the recorded rows (None: they stay in memory).
    spill_dir: Path | None = None
    row_parts: list[Path] = field(default_factory=list)
    logical_parts: dict[str, list[Path]] = field(default_factory=lambda: defaultdict(list))

    def noise(self, *key: object) -> CellNoise:
        return CellNoise(file_rng(self.seed, *key), self.scale)

    # ------------------------------------------------------------------ one file
    def emit(
        self,
        rel: str,
        table: terms.Table,
        fmt: str,
        enc: str | None,
        rows: Rows,
        pick: CellNoise,
        received: dt.datetime,
        city: str | None,
        cutoff: dt.date | None,
        titles: list[str] = (),
        file_noise: list[str] = (),
    ) -> None:
        """Write one file (headers spoiled by `pick`) and record its truth."""
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        noise = list(file_noise)
        header = []
        for col in table.columns:
            h, kinds = pick.header(col)
            header.append(h)
            noise += kinds
        if titles:
            noise.append("title_rows")
        sheet = Sheet(header, rows.sheet.text, rows.sheet.types)
        if fmt == "csv":
            header_row = writers.write_csv(path, enc or "utf-8", sheet, titles)
            noise.append(f"encoding_{enc}")
        elif fmt == "xlsx":
            header_row = writers.write_xlsx(path, table.title[:20], sheet, titles)
        else:
            header_row = writers.write_xls(path, table.title[:20], sheet, titles)
            noise.append("format_xls")
        self.register(rel, table.name, fmt, enc, received, city, cutoff, noise)
        n = rows.truth.height
        self.rows.append(
            rows.truth.select(
                pl.lit(rel).alias("file_path"),
                pl.int_range(header_row + 1, header_row + 1 + n, dtype=pl.Int64).alias(
                    "source_row"
                ),
                pl.lit(table.name).alias("table_type"),
                "person_id",
                "noise",
                "expected",
            )
        )
        self.logical[table.name].append(
            rows.logical.with_columns(
                rid=pl.int_range(self.n_rows, self.n_rows + n, dtype=pl.Int64),
                file_path=pl.lit(rel),
                loaded=rows.truth["expected"] == "loaded",
            )
        )
        self.n_rows += n

    def register(
        self,
        rel: str,
        table: str,
        fmt: str,
        enc: str | None,
        received: dt.datetime,
        city: str | None,
        cutoff: dt.date | None,
        noise: list[str],
    ) -> None:
        ts = china_epoch(received)
        os.utime(self.out / rel, (ts, ts))
        noise = sorted(set(noise))
        for k in noise:
            self.file_noise[k].append(rel)
        self.files.append(FileRec(rel, table, city, cutoff, received, fmt, enc, noise))

    def single_row(self, rel: str, table: str, source_row: int, noise: list[str]) -> None:
        """The truth of a one-row file written elsewhere (the statistics table)."""
        self.rows.append(
            pl.DataFrame(
                {
                    "file_path": [rel],
                    "source_row": [source_row],
                    "table_type": [table],
                    "person_id": [None],
                    "noise": ["|".join(noise)],
                    "expected": ["loaded"],
                },
                schema={
                    "file_path": pl.String,
                    "source_row": pl.Int64,
                    "table_type": pl.String,
                    "person_id": pl.String,
                    "noise": pl.String,
                    "expected": pl.String,
                },
            )
        )
        self.n_rows += 1

    # ------------------------------------------------------------------ one table of one slot
    def slot_table(
        self,
        city: str,
        idx: int,
        table: terms.Table,
        what: str,
        names: Callable[[str, dt.date], tuple[str, ...]],
        build: Callable[[CellNoise, str], Rows],
        ncols: int | None = None,
        nrows: int = 0,
    ) -> None:
        """Write one table of one slot (and its earlier, incomplete version when the slot
        is re-uploaded). `build(noise, fmt)` makes the rows once the format is chosen."""
        plan = self.plan
        cut = plan.c.cutoffs[idx]
        pick = self.noise("slot", table.name, city, idx)
        fmt, enc = plan.choose_format(pick, city, nrows, ncols or len(table.columns))
        rows = build(pick, fmt)
        reupload = (city, idx, table.name) in plan.reuploads
        for v in (0, 1) if reupload else (1,):
            correction = reupload and v == 1
            these, file_noise = rows, []
            if reupload and v == 0:
                # The first upload lacks some rows (the correction adds them back).
                keep = pick.rng.random(rows.truth.height) < 0.9
                keep[:1] = True
                these, file_noise = rows.filter(keep), ["superseded_upload"]
            elif correction:
                file_noise = ["corrected_upload"]
            if (city, idx) == plan.laiwu_slot:
                file_noise.append("folder_371200")
            received = plan.file_time(city, idx, table.name, version=v if reupload else 0)
            if received.date() > cut:
                file_noise.append("late_file")
            name = plan.file_name(pick, names(terms.CITIES[city], cut), fmt, correction)
            titles = plan.titles(pick, fmt, city, what, cut)
            self.emit(
                f"{plan.folder(city, idx)}/{name}",
                table,
                fmt,
                enc,
                these,
                pick,
                received,
                city,
                cut,
                titles,
                file_noise,
            )

    # ------------------------------------------------------------------ spilling
    def spill(self) -> None:
        """Moves the rows recorded so far to Parquet files in `spill_dir`: a province's
        truth and logical rows would otherwise sit in memory beside the world still being
        written (read back once, in order, by `rows_frame` and `logical_frames`)."""
        if self.spill_dir is None:
            return
        n = len(self.row_parts)
        path = self.spill_dir / f"rows-{n:04d}.parquet"
        pl.concat(self.rows, how="vertical").write_parquet(path)
        self.row_parts.append(path)
        self.rows = []
        for t, frames in self.logical.items():
            path = self.spill_dir / f"logical-{t}-{n:04d}.parquet"
            pl.concat(frames, how="diagonal_relaxed").write_parquet(path)
            self.logical_parts[t].append(path)
        self.logical.clear()

    # ------------------------------------------------------------------ the truth files
    def files_frame(self) -> pl.DataFrame:
        f = self.files
        df = pl.DataFrame(
            {
                "file_path": [x.path for x in f],
                "table_type": [x.table for x in f],
                "city_code": [x.city for x in f],
                "cutoff_date": [x.cutoff for x in f],
                "received_at": [x.received for x in f],
                "format": [x.fmt for x in f],
                "encoding": [x.encoding for x in f],
            },
            schema_overrides={
                "city_code": pl.Utf8,
                "cutoff_date": pl.Date,
                "encoding": pl.Utf8,
                "received_at": pl.Datetime("us"),
            },
        )
        late = (
            pl.when(pl.col("cutoff_date").is_null())
            .then(None)
            .otherwise(pl.col("received_at").dt.date() > pl.col("cutoff_date"))
        )
        latest = pl.col("received_at") == pl.col("received_at").max().over(
            ["city_code", "cutoff_date", "table_type"]
        )
        current = pl.when(pl.col("cutoff_date").is_null()).then(True).otherwise(latest)
        return df.with_columns(is_late=late, is_current=current).select(
            "file_path",
            "table_type",
            "city_code",
            "cutoff_date",
            "received_at",
            "is_late",
            "is_current",
            "format",
            "encoding",
        )

    def rows_frame(self) -> pl.DataFrame:
        """Every row's truth (hands the per-file parts over: call once, at the end)."""
        spilled = [pl.read_parquet(p) for p in self.row_parts]
        rows = pl.concat([*spilled, *self.rows], how="vertical")
        self.rows = []
        return rows.with_columns(
            noise=pl.when(pl.col("noise") == "")
            .then(pl.lit([], pl.List(pl.String)))
            .otherwise(pl.col("noise").str.split("|"))
        )

    def logical_frames(self) -> dict[str, pl.DataFrame | pl.LazyFrame]:
        """Hands the logical rows over (one frame per table) and forgets them: truth.compute
        frees each table once read, which it could not while the recorder held the parts.
        A spilled table comes as a lazy frame, read from disk when its turn comes."""
        tables = list(dict.fromkeys([*self.logical_parts, *self.logical]))
        out: dict[str, pl.DataFrame | pl.LazyFrame] = {}
        for t in tables:
            parts = [
                *(pl.scan_parquet(p) for p in self.logical_parts.pop(t, [])),
                *(f.lazy() for f in self.logical.pop(t, [])),
            ]
            out[t] = pl.concat(parts, how="diagonal_relaxed")
        return out

    @staticmethod
    def noise_counts(rows: pl.DataFrame) -> Counter[str]:
        counts = rows.select(pl.col("noise").explode().drop_nulls().value_counts(sort=True)).unnest(
            "noise"
        )
        return Counter(dict(zip(counts["noise"].to_list(), counts["count"].to_list(), strict=True)))
