"""The campaign's calendar of uploads: which city sends what when (docs/contract.md §2).

Format habits, received times (on time or late), the two slots a city never sent,
济南's upload filed under 莱芜's old code, people claimed by two cities, the one
received-at tie and the corrected re-uploads. Decided once, before any file is written,
from its own random stream, so the world does not change when file choices do.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import numpy as np

from pipelines import terms
from pipelines.campaign import Campaign
from tools.demo.world import World, rand_date

FORMATS = ("xlsx", "xlsx", "xlsx", "csv:gb18030", "csv:utf-8-sig", "csv:utf-8", "xls")
BIG_FILE_CELLS = 40_000  # above this many cells a table goes to CSV (as big exports do)
XLS_MAX_CELLS = 12_000  # .xls is the old format of small offices' small files
SLOT_TABLE_ORDER = (
    "ledger",
    "visits",
    "job_posts",
    "events",
    "referrals",
    "city_stats",
    "bases",
    "pairings",
    "contacts",
    "cases",
    "suggestions",
)


def hash_small(city: str, idx: int) -> int:
    """A small deterministic number from a slot (Python's hash() is salted per process)."""
    return sum((i + 1) * ord(ch) for i, ch in enumerate(f"{city}-{idx}"))


class Plan:
    def __init__(self, campaign: Campaign, seed: int, k: int, world: World) -> None:
        self.c, self.seed, self.k = campaign, seed, k
        r = random.Random(f"files-{seed}")
        cut = campaign.cutoffs
        n = len(cut)
        cities = list(terms.CITIES)
        self.habit = {city: r.choice(FORMATS) for city in cities}
        # Slots a city never sent (its ledger is carried forward): not the first or last cut-off.
        cands = [(c, i) for c in cities if c != "370100" for i in range(1, max(2, n - 1))]
        self.missing: set[tuple[str, int]] = set(r.sample(cands, 2)) if n >= 3 else set()
        missing_cities = {c for c, _ in self.missing}
        self.laiwu_slot = ("370100", min(2, n - 1))  # 济南's upload filed under 莱芜's old code
        # Received times: on time (up to two days before the cut-off) or late (1-3 days after).
        self.received: dict[tuple[str, int], dt.datetime] = {}
        self.slots = [(c, i) for c in cities for i in range(n) if (c, i) not in self.missing]
        late = set(r.sample(self.slots, max(2, len(self.slots) // 12)))
        for c, i in self.slots:
            day = dt.datetime.combine(cut[i], dt.time())
            if (c, i) in late:
                t = day + dt.timedelta(days=r.randint(1, 3), seconds=r.randint(8 * 3600, 20 * 3600))
            else:
                t = (
                    day
                    - dt.timedelta(days=r.randint(0, 2))
                    + dt.timedelta(seconds=r.randint(8 * 3600, 22 * 3600))
                )
            self.received[(c, i)] = t
        # People claimed by two cities at the same cut-off (not in cities with a missing slot,
        # so carried-forward ledgers never take part in a conflict).
        self.guests: dict[tuple[str, int], list[tuple[str, dt.date]]] = defaultdict(
            list
        )  # pid, 认定日期
        self.cross_city: list[dict] = []
        eligible = [c for c in cities if c not in missing_cities]
        persons = world.persons
        for _ in range(max(4, round(16 * k * 0.004))):
            home = r.choice(eligible)
            p = r.choice(persons[home])
            other = r.choice([c for c in eligible if c != home])
            assert p.identified_on is not None
            first = next(
                (i for i in range(n) if p.identified_on <= cut[i] - dt.timedelta(days=4)), None
            )
            if first is None or any(g["person_id"] == p.pid for g in self.cross_city):
                continue
            i0 = r.randint(first, n - 1)
            i1 = min(n - 1, i0 + r.randint(0, 2))
            ident_b = rand_date(
                r, max(p.identified_on, campaign.start), cut[i0] - dt.timedelta(days=1)
            )
            for i in range(i0, i1 + 1):
                self.guests[(other, i)].append((p.pid, ident_b))
            self.cross_city.append(
                {
                    "person_id": p.pid,
                    "home_city": home,
                    "other_city": other,
                    "cutoffs": [cut[i].isoformat() for i in range(i0, i1 + 1)],
                }
            )
        self.cross_city_keys = {(pid, i) for (_c, i), gs in self.guests.items() for pid, _ in gs}
        # One deliberate tie: both cities' ledgers received at the same second (lower code wins).
        self.tie: tuple[str, str, int] | None = None
        if self.cross_city:
            g = self.cross_city[0]
            self.tie = (
                g["home_city"],
                g["other_city"],
                cut.index(dt.date.fromisoformat(g["cutoffs"][0])),
            )
        # Corrected re-uploads: (city, idx, table); never on the tie's ledgers.
        tie_slots = {(self.tie[0], self.tie[2]), (self.tie[1], self.tie[2])} if self.tie else set()
        self.reuploads: set[tuple[str, int, str]] = set()
        for table in ("ledger", "ledger", "referrals", "job_posts", "visits"):
            while True:
                c, i = r.choice(self.slots)
                if (c, i, table) not in self.reuploads and (
                    table != "ledger" or (c, i) not in tie_slots
                ):
                    self.reuploads.add((c, i, table))
                    break
        # The cut-off folder a record first arrives in, per city: the next sent one.
        self.next_sent = {
            city: np.array(
                [
                    next((j for j in range(i, n) if (city, j) not in self.missing), n)
                    for i in range(n + 1)
                ]
            )
            for city in cities
        }

    # ------------------------------------------------------------------ one slot
    def folder(self, city: str, idx: int) -> str:
        code = "371200" if (city, idx) == self.laiwu_slot else city
        return f"submissions/{self.c.id}/{self.c.cutoffs[idx].isoformat()}/{code}"

    def file_time(self, city: str, idx: int, table: str, version: int = 0) -> dt.datetime:
        """Received time of one file of a slot: the slot's time plus a per-table offset."""
        if self.tie and table == "ledger" and idx == self.tie[2] and city == self.tie[1]:
            return self.file_time(self.tie[0], idx, "ledger")
        t = self.received[(city, idx)] + dt.timedelta(
            seconds=137 * SLOT_TABLE_ORDER.index(table) + (hash_small(city, idx) % 97)
        )
        if version:
            t += dt.timedelta(hours=3 + (hash_small(city, idx + 7) % 40))
        return t

    def report_idx(self, city: str, days: np.ndarray, delay: np.ndarray) -> np.ndarray:
        """The cut-off folder each record dated `days` first arrives in (len(cutoffs): never)."""
        cut = np.array(self.c.cutoffs, dtype="datetime64[D]")
        n = len(cut)
        i = np.searchsorted(cut, days.astype("datetime64[D]"), side="left")
        i = np.where(delay & (i + 1 < n), i + 1, i)
        return self.next_sent[city][i]

    def choose_format(
        self, pick, city: str | None, nrows: int, ncols: int, fixed: str | None = None
    ) -> tuple[str, str | None]:
        """`pick` draws (a CellNoise of the file): the city's habit mostly, sometimes another."""
        choice = fixed or (
            self.habit[city] if city and pick.random() < 0.8 else pick.choice(FORMATS)
        )
        fmt, _, enc = choice.partition(":")
        cells = nrows * ncols
        if fmt == "xls" and cells > XLS_MAX_CELLS:
            fmt = "xlsx"
        if fmt != "csv" and cells > BIG_FILE_CELLS:
            fmt, enc = "csv", "gb18030" if pick.random() < 0.5 else "utf-8-sig"
        return fmt, (enc or None)

    def titles(self, pick, fmt: str, city: str, what: str, cutoff: dt.date) -> list[str]:
        if (fmt == "csv" and pick.random() < 0.05) or (fmt != "csv" and pick.random() < 0.5):
            lines = [
                f"{terms.CITIES[city]}{what}（截至{cutoff.year}年{cutoff.month}月{cutoff.day}日）"
            ]
            if pick.random() < 0.4:
                lines.append(f"填报单位：{terms.CITIES[city]}人力资源和社会保障局")
            return lines
        return []

    @staticmethod
    def file_name(pick, options: tuple[str, ...], ext: str, correction: bool) -> str:
        # The correction's name sorts before the original: only the mtime says which is later.
        return f"{'0-更正-' if correction else ''}{pick.choice(options)}.{ext}"
