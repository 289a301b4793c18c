"""Writes the demo campaign (docs/contract.md §2) and its ground truth.

How the cities report the world of `world.py`: one folder per city and cut-off,
free file names, mixed formats and encodings, and every kind of noise the
contract promises to survive, each applied on purpose and recorded per row.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines import terms
from pipelines.campaign import Campaign
from tools.demo import truth as truth_mod
from tools.demo import writers
from tools.demo.noise import Noiser, format_date
from tools.demo.world import Event, Person, Post, World, rand_date
from tools.demo.writers import Cell, NumericId, StatsLayout

CHINA = dt.timezone(dt.timedelta(hours=8))
BIG_FILE_CELLS = 40_000  # above this many cells a table goes to CSV (xlsx/xls writing is slow)
FORMATS = ("xlsx", "xlsx", "xlsx", "csv:gb18030", "csv:utf-8-sig", "csv:utf-8", "xls")
BAD_DATES = ("待补充", "2022-09-31", "8月上旬", "2022.13.1")

Progress = Callable[[str], None]


@dataclass
class Summary:
    """What `generate` wrote (also saved as manifest.json in the truth dir)."""

    out: Path
    truth: Path
    seed: int
    persons_per_city: int
    campaign_id: str
    files: int
    rows: int
    seconds: float
    manifest: dict = field(default_factory=dict)


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


def china_epoch(t: dt.datetime) -> int:
    return int(t.replace(tzinfo=CHINA).timestamp())


class Generator:
    def __init__(self, out: Path, truth: Path, seed: int, k: int, campaign: Campaign,
                 progress: Progress) -> None:
        self.out, self.truth_dir, self.seed, self.k, self.c = out, truth, seed, k, campaign
        self.progress = progress
        # Independent streams: the world does not change when file-writing choices do.
        self.rng = random.Random(f"files-{seed}")
        # Small K: lift noise rates so every kind appears at least a few times.
        self.noiser = Noiser(random.Random(f"noise-{seed}"), scale=max(1.0, 100 / max(k, 1)))
        self.files: list[FileRec] = []
        self.rows: dict[str, list] = defaultdict(list)  # the rows.parquet columns
        self.logical: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.noise_counts: Counter[str] = Counter()
        self.file_noise: dict[str, list[str]] = defaultdict(list)
        self.habit: dict[str, str] = {}
        self.manifest: dict = {}
        self.record_cells: dict[tuple[str, int], tuple] = {}

    # ================================================================== planning
    def plan(self, world: World) -> None:
        r, cut = self.rng, self.c.cutoffs
        n = len(cut)
        cities = list(terms.CITIES)
        for city in cities:
            self.habit[city] = r.choice(FORMATS)
        # Slots a city never sent (its ledger is carried forward): not the first or last cut-off.
        cands = [(c, i) for c in cities if c != "370100" for i in range(1, max(2, n - 1))]
        self.missing = set(r.sample(cands, 2)) if n >= 3 else set()
        missing_cities = {c for c, _ in self.missing}
        self.laiwu_slot = ("370100", min(2, n - 1))  # 济南's upload filed under 莱芜's old code
        # Received times: on time (up to two days before the cut-off) or late (1-3 days after).
        self.received: dict[tuple[str, int], dt.datetime] = {}
        slots = [(c, i) for c in cities for i in range(n) if (c, i) not in self.missing]
        late = set(r.sample(slots, max(2, len(slots) // 12)))
        for c, i in slots:
            day = dt.datetime.combine(cut[i], dt.time())
            if (c, i) in late:
                t = day + dt.timedelta(days=r.randint(1, 3), seconds=r.randint(8 * 3600, 20 * 3600))
            else:
                t = day - dt.timedelta(days=r.randint(0, 2)) + dt.timedelta(
                    seconds=r.randint(8 * 3600, 22 * 3600))
            self.received[(c, i)] = t
        # People claimed by two cities at the same cut-off (not in cities with a missing slot,
        # so carried-forward ledgers never take part in a conflict).
        self.guests: dict[tuple[str, int], list[tuple[Person, dt.date]]] = defaultdict(list)
        self.cross_city: list[dict] = []
        eligible = [c for c in cities if c not in missing_cities]
        n_guests = max(4, round(16 * self.k * 0.004))
        for _ in range(n_guests):
            home = r.choice(eligible)
            p = r.choice(world.persons[home])
            other = r.choice([c for c in eligible if c != home])
            assert p.identified_on is not None
            first = next((i for i in range(n) if p.identified_on <= cut[i] - dt.timedelta(days=4)), None)
            if first is None or any(g["person_id"] == p.pid for g in self.cross_city):
                continue
            i0 = r.randint(first, n - 1)
            i1 = min(n - 1, i0 + r.randint(0, 2))
            ident_b = rand_date(r, max(p.identified_on, self.c.start), cut[i0] - dt.timedelta(days=1))
            for i in range(i0, i1 + 1):
                self.guests[(other, i)].append((p, ident_b))
            self.cross_city.append({"person_id": p.pid, "home_city": home, "other_city": other,
                                    "cutoffs": [cut[i].isoformat() for i in range(i0, i1 + 1)]})
        self.cross_city_keys = {(p.pid, i) for (_c, i), gs in self.guests.items() for p, _ in gs}
        # One deliberate tie: both cities' ledgers received at the same second (lower code wins).
        self.tie = None
        if self.cross_city:
            g = self.cross_city[0]
            i0 = cut.index(dt.date.fromisoformat(g["cutoffs"][0]))
            self.tie = (g["home_city"], g["other_city"], i0)
        # Corrected re-uploads: (city, idx, table); never on the tie's ledgers.
        tie_slots = {(self.tie[0], self.tie[2]), (self.tie[1], self.tie[2])} if self.tie else set()
        self.reuploads: set[tuple[str, int, str]] = set()
        for table in ("ledger", "ledger", "referrals", "job_posts", "visits"):
            while True:
                c, i = r.choice(slots)
                if (c, i, table) not in self.reuploads and (table != "ledger" or (c, i) not in tie_slots):
                    self.reuploads.add((c, i, table))
                    break

    def file_time(self, city: str, idx: int, table: str, version: int = 0) -> dt.datetime:
        """Received time of one file of a slot: the slot's time plus a per-table offset."""
        order = ("ledger", "visits", "job_posts", "events", "referrals", "city_stats")
        base = self.received[(city, idx)]
        if self.tie and table == "ledger" and idx == self.tie[2] and city == self.tie[1]:
            return self.file_time(self.tie[0], idx, "ledger")
        t = base + dt.timedelta(seconds=137 * order.index(table) + (hash_small(city, idx) % 97))
        if version:
            t += dt.timedelta(hours=3 + (hash_small(city, idx + 7) % 40))
        return t

    # ================================================================== writing one table
    def choose_format(self, city: str | None, nrows: int, ncols: int, fixed: str | None = None) -> tuple[str, str | None]:
        r = self.rng
        choice = fixed or (self.habit[city] if city and r.random() < 0.8 else r.choice(FORMATS))
        fmt, _, enc = choice.partition(":")
        if fmt != "csv" and nrows * ncols > BIG_FILE_CELLS:
            fmt, enc = "csv", "gb18030" if r.random() < 0.5 else "utf-8-sig"
        return fmt, (enc or None)

    def emit(self, rel: str, table: terms.Table, fmt: str, enc: str | None, cols: Sequence[terms.Column],
             rows: list[list[Cell]], metas: list[tuple[str | None, list[str], str]],
             logical: dict[str, list], received: dt.datetime, city: str | None,
             cutoff: dt.date | None, titles: Sequence[str] = (), file_noise: Sequence[str] = ()) -> None:
        """Write one file and record its truth. metas: (person_id, noise, expected) per row."""
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        noise = list(file_noise)
        header = []
        for col in cols:
            h, kinds = self.noiser.header(col)
            header.append(h)
            noise += kinds
        if titles:
            noise.append("title_rows")
        if fmt == "csv":
            header_row = writers.write_csv(path, enc or "utf-8", header, rows, titles)
            noise.append(f"encoding_{enc}")
        elif fmt == "xlsx":
            header_row = writers.write_xlsx(path, table.title[:20], header, rows, titles)
        else:
            header_row = writers.write_xls(path, table.title[:20], header, rows, titles)
            noise.append("format_xls")
        ts = china_epoch(received)
        os.utime(path, (ts, ts))
        noise = sorted(set(noise))
        for k in noise:
            self.file_noise[k].append(rel)
        self.files.append(FileRec(rel, table.name, city, cutoff, received, fmt, enc, noise))
        R = self.rows
        start = len(R["file_path"])
        for j, (pid, kinds, expected) in enumerate(metas):
            R["file_path"].append(rel)
            R["source_row"].append(header_row + 1 + j)
            R["table_type"].append(table.name)
            R["person_id"].append(pid)
            R["noise"].append(kinds)
            R["expected"].append(expected)
            self.noise_counts.update(kinds)
        L = self.logical[table.name]
        L["rid"].extend(range(start, start + len(metas)))
        L["file_path"].extend([rel] * len(metas))
        L["loaded"].extend(m[2] == "loaded" for m in metas)
        for k, v in logical.items():
            L[k].extend(v)

    def titles_for(self, fmt: str, city: str, what: str, cutoff: dt.date) -> list[str]:
        r = self.rng
        if (fmt == "csv" and r.random() < 0.05) or (fmt != "csv" and r.random() < 0.5):
            lines = [f"{terms.CITIES[city]}{what}（截至{cutoff.year}年{cutoff.month}月{cutoff.day}日）"]
            if r.random() < 0.4:
                lines.append(f"填报单位：{terms.CITIES[city]}人力资源和社会保障局")
            return lines
        return []

    def file_name(self, table: str, city: str, cutoff: dt.date, ext: str, correction: bool) -> str:
        name = terms.CITIES[city]
        mmdd = f"{cutoff:%m%d}"
        options = {
            "ledger": (f"{name}就业援助对象台账{mmdd}", f"{name}暖心活动台账（截至{cutoff.month}月{cutoff.day}日）",
                       f"援助对象台账-{name}-{cutoff:%Y%m%d}"),
            "visits": (f"走访慰问记录{mmdd}", f"{name}走访慰问情况", f"附件2 走访慰问{mmdd}"),
            "job_posts": (f"{name}岗位信息汇总{mmdd}", "收集岗位信息", f"岗位信息（{mmdd}）"),
            "events": (f"招聘活动开展情况{mmdd}", f"{name}专场招聘会", "招聘活动"),
            "referrals": (f"岗位推介记录{mmdd}", f"{name}推送岗位明细", "推介记录"),
            "city_stats": (f"附件：暖心活动统计表（{name}）", f"统计表{mmdd}", f"{name}暖心活动统计{mmdd}"),
        }[table]
        base = self.rng.choice(options)
        # The correction's name sorts before the original: only the mtime says which is later.
        return f"{'0-更正-' if correction else ''}{base}.{ext}"

    # ================================================================== submissions
    def folder(self, city: str, idx: int) -> str:
        cut = self.c.cutoffs[idx]
        code = "371200" if (city, idx) == self.laiwu_slot else city
        return f"submissions/{self.c.id}/{cut.isoformat()}/{code}"

    def write_slot_table(self, city: str, idx: int, table: terms.Table, fmt: str, enc: str | None,
                         rows: list[list[Cell]], metas: list, logical: dict[str, list],
                         cols: Sequence[terms.Column], what: str) -> None:
        """Write one table of one slot, and its earlier wrong version when it is re-uploaded."""
        cut = self.c.cutoffs[idx]
        ext = fmt
        versions = [1] if (city, idx, table.name) not in self.reuploads else [0, 1]
        for v in versions:
            correction = len(versions) == 2 and v == 1
            r_rows, r_metas, r_logical = rows, metas, logical
            file_noise = []
            if len(versions) == 2 and v == 0:
                # The first upload lacks some rows (the correction adds them back).
                keep = [j for j in range(len(rows)) if self.rng.random() < 0.9 or j == 0]
                r_rows = [rows[j] for j in keep]
                r_metas = [metas[j] for j in keep]
                r_logical = {k: [vals[j] for j in keep] for k, vals in logical.items()}
                file_noise = ["superseded_upload"]
            elif correction:
                file_noise = ["corrected_upload"]
            if (city, idx) == self.laiwu_slot:
                file_noise.append("folder_371200")
            received = self.file_time(city, idx, table.name, version=v if len(versions) == 2 else 0)
            if received.date() > cut:
                file_noise.append("late_file")
            name = self.file_name(table.name, city, cut, ext, correction)
            titles = self.titles_for(fmt, city, what, cut)
            self.emit(f"{self.folder(city, idx)}/{name}", table, fmt, enc, cols, r_rows, r_metas,
                      r_logical, received, city, cut, titles, file_noise)

    def row_dates(self, fmt: str, file_style: str) -> tuple[Callable[[dt.date | None], Cell], list[str]]:
        style, kinds = self.noiser.row_date_style(file_style, fmt)
        return (lambda d: None if d is None else format_date(d, style)), kinds

    def ledger(self, world: World, city: str, idx: int) -> None:
        cut = self.c.cutoffs[idx]
        received = self.received[(city, idx)]
        people: list[tuple[Person, dt.date]] = [
            (p, p.identified_on) for p in world.persons[city]
            if p.identified_on is not None and p.identified_on <= received.date()
        ]
        people += self.guests.get((city, idx), [])
        rows, metas = [], []
        L: dict[str, list] = defaultdict(list)
        fmt, enc = self.choose_format(city, len(people), len(terms.LEDGER.columns))
        file_style = self.noiser.file_date_style(fmt)
        nz = self.noiser
        for seq, (p, ident) in enumerate(people, 1):
            kinds: list[str] = []
            idc, id_text, k = nz.id_cell(p.pid, fmt, typo_rate=0.005)
            kinds += k
            name, k = nz.name_cell(p.name)
            kinds += k
            phone_true = p.phone_at(idx)
            phone, k = nz.phone_cell(phone_true)
            kinds += k
            date, k = self.row_dates(fmt, file_style)
            kinds += k
            cats, k = nz.multi_cell(p.cats)
            kinds += k
            needs, k2 = nz.multi_cell(p.needs)
            kinds += [x for x in k2 if x not in kinds]
            employed = p.employed_on is not None and p.employed_on <= cut
            ident_cell = date(ident)
            expected = "loaded"
            if nz.hit(0.001):
                ident_cell, expected = None, "quarantined"
                kinds.append("missing_required")
            if ident > cut:
                kinds.append("identified_after_cutoff")
            if (p.pid, idx) in self.cross_city_keys:
                kinds.append("cross_city")
            rows.append([
                seq, name, idc, "男" if p.male else "女", phone, p.district, cats, date(p.ledger_reg_on),
                date(p.grad_on), ident_cell, terms.EMPLOYED if employed else terms.UNEMPLOYED,
                p.wish, needs, p.plan if idx >= p.plan_from_idx else None,
                date(p.employed_on) if employed else None, p.channel if employed else None,
                p.employer if employed else None,
            ])
            metas.append((p.pid, kinds, expected))
            L["id_text"].append(id_text)
            L["name_text"].append(name)
            L["phone_text"].append(phone)
            L["identified_on"].append(ident if expected == "loaded" else None)
            L["employment_status"].append(terms.EMPLOYED if employed else terms.UNEMPLOYED)
            L["employed_on"].append(p.employed_on if employed else None)
            L["employment_channel"].append(p.channel if employed else None)
            L["ledger_registered_on"].append(p.ledger_reg_on)
        self.write_slot_table(city, idx, terms.LEDGER, fmt, enc, rows, metas, L, terms.LEDGER.columns,
                              "就业援助对象台账")

    # ---------------------------------------------------------------- period records
    def report_idx(self, city: str, day: dt.date, delay: bool) -> int | None:
        """The cut-off folder a record dated `day` first arrives in (next one if the city skipped)."""
        cut = self.c.cutoffs
        i = next((i for i, c in enumerate(cut) if c >= day), None)
        if i is None:
            return None
        if delay and i + 1 < len(cut):
            i += 1
        while i < len(cut) and (city, i) in self.missing:
            i += 1
        return i if i < len(cut) else None

    def spread(self, city: str, records: list[tuple[dt.date, object]], resend: float) -> dict[int, list]:
        """Records per cut-off folder: first report, plus resends of older ones in later folders."""
        by_idx: dict[int, list] = defaultdict(list)
        r = self.rng
        for day, rec in records:
            i = self.report_idx(city, day, delay=r.random() < 0.1)
            if i is None:
                continue
            by_idx[i].append((rec, False))
            for j in range(i + 1, len(self.c.cutoffs)):
                if (city, j) not in self.missing and r.random() < resend:
                    by_idx[j].append((rec, True))
        return by_idx

    def visits(self, world: World) -> dict[str, dict[int, list]]:
        r, start, end = self.rng, self.c.start, self.c.end
        out = {}
        for city in terms.CITIES:
            recs = []
            for p in world.persons[city]:
                assert p.identified_on is not None
                for _ in range(r.choice((0, 1, 1, 1, 2, 3))):
                    lo = max(p.identified_on, start - dt.timedelta(days=20))
                    day = rand_date(r, lo, end)
                    recs.append((day, (p, day, r.choice(terms.VISIT_METHODS), world._name())))
            for (g, _i), guests in self.guests.items():
                if g == city:
                    for p, ident in guests:
                        day = rand_date(r, ident, end)
                        recs.append((day, (p, day, "电话联系", world._name())))
            out[city] = self.spread(city, recs, resend=0.1)
        return out

    def referrals(self, world: World) -> dict[str, dict[int, list]]:
        r, start, end = self.rng, self.c.start, self.c.end
        out = {}
        for city in terms.CITIES:
            posts = sorted(world.posts[city], key=lambda x: x.published_on)
            published = [x.published_on for x in posts]
            recs = []
            for p in world.persons[city]:
                assert p.identified_on is not None
                lo = max(p.identified_on, start)
                hi = min(p.employed_on or end, end)
                if hi < lo:
                    continue
                for _ in range(r.choice((0, 1, 2, 3, 3, 4, 5, 6))):
                    day = rand_date(r, lo, hi)
                    n_avail = bisect.bisect_right(published, day)  # postings already published
                    if not n_avail:
                        continue
                    post = posts[r.randrange(n_avail)]
                    recs.append((day, (p, post.post_id, day, r.choice(terms.REFERRAL_METHODS))))
            # A pair pushed twice (same person, same post) is one referral (docs/contract.md §3).
            seen = set()
            uniq = []
            for day, rec in recs:
                key = (rec[0].pid, rec[1])
                if key not in seen:
                    seen.add(key)
                    uniq.append((day, rec))
            out[city] = self.spread(city, uniq, resend=0.1)
        return out

    def person_rows(self, city: str, idx: int, items: list, table: terms.Table) -> None:
        """Visits or referrals of one slot."""
        fmt, enc = self.choose_format(city, len(items), len(table.columns))
        file_style = self.noiser.file_date_style(fmt)
        nz = self.noiser
        rows, metas = [], []
        L: dict[str, list] = defaultdict(list)
        expanded = []
        for rec, resent in items:
            expanded.append((rec, ["resent"] if resent else []))
            if nz.hit(0.01):  # the same row twice in one file
                expanded.append((rec, ["duplicate_row"]))
        for rec, kinds0 in expanded:
            p: Person = rec[0]
            kinds = list(kinds0)
            idc, id_text, k = nz.id_cell(p.pid, fmt, typo_rate=0.005)
            kinds += k
            name, k = nz.name_cell(p.name)
            kinds += k
            date, k = self.row_dates(fmt, file_style)
            kinds += k
            expected = "loaded"
            day_cell = date(rec[1] if table is terms.VISITS else rec[2])
            if nz.hit(0.002):
                day_cell, expected = None, "quarantined"
                kinds.append("missing_required")
            elif nz.hit(0.002):
                day_cell, expected = self.rng.choice(BAD_DATES), "quarantined"
                kinds.append("bad_date")
            L["id_text"].append(id_text)
            L["name_text"].append(name)
            if table is terms.VISITS:
                _, day, method, visitor = rec
                rows.append([name, idc, day_cell, method, visitor])
                L["visited_on"].append(day)
                L["visit_method"].append(method)
            else:
                _, post_id, day, method = rec
                rows.append([name, idc, post_id, day_cell, method])
                L["post_id"].append(post_id)
                L["referred_on"].append(day)
            metas.append((p.pid, kinds, expected))
        what = "走访慰问记录" if table is terms.VISITS else "岗位推介记录"
        self.write_slot_table(city, idx, table, fmt, enc, rows, metas, L, table.columns, what)

    def posts_rows(self, world: World, city: str, idx: int, items: list) -> None:
        fmt, enc = self.choose_format(city, len(items), 12)
        file_style = self.noiser.file_date_style(fmt)
        rows, metas = [], []
        L: dict[str, list] = defaultdict(list)
        for (post, removed), resent in items:
            post: Post
            date, kinds = self.row_dates(fmt, file_style)
            kinds = kinds + (["resent"] if resent else [])
            rows.append([post.post_id, post.employer, post.uscc, post.title, post.category, post.openings,
                         post.requirements, post.salary_min, post.salary_max, date(post.published_on),
                         terms.YES if post.discriminatory else terms.NO, date(removed)])
            metas.append((None, kinds, "loaded"))
            L["post_id"].append(post.post_id)
            L["published_on"].append(post.published_on)
            L["is_discriminatory"].append(terms.YES if post.discriminatory else terms.NO)
            L["removed_on"].append(removed)
        self.write_slot_table(city, idx, terms.JOB_POSTS, fmt, enc, rows, metas, L, terms.JOB_POSTS.columns,
                              "岗位信息")

    def events_rows(self, city: str, idx: int, items: list) -> None:
        fmt, enc = self.choose_format(city, len(items), 8)
        file_style = self.noiser.file_date_style(fmt)
        rows, metas = [], []
        L: dict[str, list] = defaultdict(list)
        for ev, resent in items:
            ev: Event
            date, kinds = self.row_dates(fmt, file_style)
            kinds = kinds + (["resent"] if resent else [])
            rows.append([ev.event_id, ev.name, date(ev.held_on), ev.form, terms.YES if ev.special else terms.NO,
                         ev.employers, ev.posts, ev.participants])
            metas.append((None, kinds, "loaded"))
            L["event_id"].append(ev.event_id)
            L["held_on"].append(ev.held_on)
            L["is_special"].append(terms.YES if ev.special else terms.NO)
            L["event_form"].append(ev.form)
        self.write_slot_table(city, idx, terms.EVENTS, fmt, enc, rows, metas, L, terms.EVENTS.columns,
                              "招聘活动开展情况")

    def submissions(self, world: World) -> None:
        cut = self.c.cutoffs
        visits = self.visits(world)
        referrals = self.referrals(world)
        for city in terms.CITIES:
            posts_recs = []
            for post in world.posts[city]:
                i = self.report_idx(city, max(post.published_on, self.c.start), delay=False)
                if i is None:
                    continue
                removed = min(post.removed_on, cut[i]) if post.removed_on else None
                posts_recs.append((max(post.published_on, self.c.start), (post, removed)))
            posts = self.spread(city, posts_recs, resend=0.3)
            events = self.spread(city, [(max(e.held_on, self.c.start), e) for e in world.events[city]], 0.5)
            for idx in range(len(cut)):
                if (city, idx) in self.missing:
                    continue
                self.ledger(world, city, idx)
                self.person_rows(city, idx, visits[city].get(idx, []), terms.VISITS)
                self.posts_rows(world, city, idx, posts.get(idx, []))
                self.events_rows(city, idx, events.get(idx, []))
                self.person_rows(city, idx, referrals[city].get(idx, []), terms.REFERRALS)
            self.progress(f"submissions: {terms.CITIES[city]} done ({len(self.files)} files so far)")

    # ================================================================== registries
    def registries(self, world: World) -> None:
        people = world.all_people()
        recs: dict[str, list[tuple[Person, list]]] = defaultdict(list)
        r = self.rng
        pay_no = 0
        for p in people:
            if p.reg_on:
                recs["unemployment_registration"].append((p, [p.reg_on, p.reg_cancel, p.reg_cancel_reason]))
            if p.old_reg:
                recs["unemployment_registration"].append((p, [p.old_reg[0], p.old_reg[1], "已就业"]))
            for day, kind, amount in p.ui_payments:
                pay_no += 1
                recs["ui_benefits"].append((p, [f"SY{day:%Y%m}{pay_no:08d}", kind, day, amount]))
            if p.dibao:
                recs["dibao"].append((p, [p.household, terms.DIBAO_TYPES[p.region[4] in "2345678"],
                                          p.dibao[0], p.dibao[1]]))
            for day, kind, amount in p.relief_payments:
                pay_no += 1
                recs["temp_relief"].append((p, [f"LS{day:%Y%m%d}{pay_no:07d}", kind, day, amount]))
            if p.disabled_on:
                recs["disability"].append((p, [r.choice(("视力残疾", "听力残疾", "肢体残疾", "智力残疾", "精神残疾")),
                                               f"{r.randint(1, 4)}级", p.disabled_on]))
            if p.poverty:
                recs["poverty_alleviated"].append((p, [p.household]))
            if p.graduate and p.school and not p.employed_on:
                recs["graduates"].append((p, [p.school, p.degree, p.grad_on, terms.UNEMPLOYED]))
        fixed_formats = {
            "unemployment_registration": "csv:gb18030", "ui_benefits": "csv:utf-8", "dibao": "xlsx",
            "temp_relief": "xlsx", "disability": "csv:utf-8-sig", "poverty_alleviated": "xlsx",
            "graduates": "csv:utf-8-sig",
        }
        for table in terms.REGISTRY_TABLES:
            folder = table.registry_folder
            assert folder is not None
            items = recs[folder]
            # Two full extracts: an older partial one and the latest; the overlap is the duplicate.
            older = [it for it in items if r.random() < 0.3]
            for version, (subset, when) in enumerate(((older, dt.datetime(2022, 8, 20, 10, 0)),
                                                       (items, dt.datetime(2022, 11, 2, 9, 30)))):
                fmt, enc = self.choose_format(None, len(subset), len(table.columns), fixed_formats[folder])
                self.registry_file(table, subset, fmt, enc, when, version)
        self.progress(f"registries: {sum(len(v) for v in recs.values())} records")

    def registry_file(self, table: terms.Table, items: list, fmt: str, enc: str | None,
                      received: dt.datetime, version: int) -> None:
        nz = self.noiser
        file_style = nz.file_date_style(fmt)
        rows, metas = [], []
        L: dict[str, list] = defaultdict(list)
        for p, vals in items:
            kinds = ["registry_duplicate"] if version == 0 else []
            # The record's spelling is decided once: a record repeated in two extracts is the
            # same text in both, so de-duplication never depends on which copy is kept.
            key = (table.name, id(vals))
            if key not in self.record_cells:
                idc0, id_text0, k0 = nz.id_cell(p.pid, fmt, typo_rate=0.001)
                if isinstance(idc0, NumericId):
                    idc0, k0 = id_text0, ["id_sci_text"]
                name0, k1 = nz.name_cell(p.name)
                city0, k2 = p.home_city, []
                if city0 == "370100" and (p.region.startswith("3712") or nz.hit(0.05)):
                    city0, k2 = "371200", ["city_code_371200"]
                self.record_cells[key] = (idc0, id_text0, name0, city0, k0 + k1 + k2)
            idc, id_text, name, city, k = self.record_cells[key]
            kinds += k
            date, k = self.row_dates(fmt, file_style)
            kinds += k
            L["id_text"].append(id_text)
            L["name_text"].append(name)
            name_col = name
            if table is terms.UNEMPLOYMENT_REGISTRATION:
                reg, cancel, reason = vals
                row = [idc, name_col, city, date(reg), date(cancel), reason if cancel else None]
                L["registered_on"].append(reg)
                L["cancelled_on"].append(cancel)
            elif table is terms.UI_BENEFITS or table is terms.TEMP_RELIEF:
                pay_id, kind, day, amount = vals
                money, k = nz.money_cell(amount, fmt)
                kinds += k
                row = [pay_id, idc, name_col, city, kind, date(day), money]
                L["payment_id"].append(pay_id)
                L["paid_on"].append(day)
                L["amount_yuan"].append(amount)
            elif table is terms.DIBAO:
                household, kind, s, e = vals
                row = [idc, name_col, household, city, kind, date(s), date(e)]
                L["started_on"].append(s)
                L["ended_on"].append(e)
            elif table is terms.DISABILITY:
                kind, grade, certified = vals
                row = [idc, name_col, city, kind, grade, date(certified)]
                L["certified_on"].append(certified)
            elif table is terms.POVERTY_ALLEVIATED:
                row = [idc, name_col, vals[0], city]
            else:
                school, degree, grad, status = vals
                row = [idc, name_col, city, school, degree, date(grad), status]
            rows.append(row)
            metas.append((p.pid, kinds, "loaded"))
        stem = {0: "2022年8月提取", 1: "2022年10月底全量"}[version]
        rel = f"registries/{table.registry_folder}/{table.title}_{stem}.{fmt}"
        self.emit(rel, table, fmt, enc, table.columns, rows, metas, L, received, None, None)

    # ================================================================== city statistics tables
    def city_stats(self, stats: pl.DataFrame) -> None:
        r = self.rng
        by_key = {(row["cutoff_date"], row["city_code"]): row for row in stats.iter_rows(named=True)}
        for city in terms.CITIES:
            for idx, cut in enumerate(self.c.cutoffs):
                if (city, idx) in self.missing:
                    continue
                exp = by_key[(cut, city)]
                values: list[Cell] = [terms.CITIES[city]]
                deviates = r.random() < 0.35  # cities' own counts differ (数据比对)
                for f in terms.FIGURES:
                    v = exp[f.name]
                    if deviates and r.random() < 0.3:
                        v = round(v * r.uniform(1.0, 1.2), 2) if f.money else int(v) + r.randint(0, 5)
                    values.append(float(v) if f.money else int(v))
                layout = StatsLayout(
                    title=f"{self.c.name}统计表",
                    unit_line=f"填报单位：{terms.CITIES[city]}人力资源和社会保障局（盖章）",
                    date_line=f"填报时间：{cut.year}年{cut.month}月{cut.day}日",
                    first_header=terms.CITY_STATS.columns[0].header,
                    figures=[(f.header, f.group) for f in terms.FIGURES],
                    values=values,
                    footer=f"单位负责人：{self.rng.choice(('王', '李', '张'))}主任        填表人：{self.rng.choice(('刘', '陈', '杨'))}科员",
                )
                fmt = "xls" if self.habit[city] == "xls" else "xlsx"
                received = self.file_time(city, idx, "city_stats")
                name = self.file_name("city_stats", city, cut, fmt, False)
                rel = f"{self.folder(city, idx)}/{name}"
                path = self.out / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                row = (writers.write_stats_xlsx if fmt == "xlsx" else writers.write_stats_xls)(path, layout)
                ts = china_epoch(received)
                os.utime(path, (ts, ts))
                noise = ["title_rows", "two_row_header"] + (["format_xls"] if fmt == "xls" else [])
                if received.date() > cut:
                    noise.append("late_file")
                if (city, idx) == self.laiwu_slot:
                    noise.append("folder_371200")
                for k in noise:
                    self.file_noise[k].append(rel)
                self.files.append(FileRec(rel, "city_stats", city, cut, received, fmt, None, noise))
                R = self.rows
                R["file_path"].append(rel)
                R["source_row"].append(row)
                R["table_type"].append("city_stats")
                R["person_id"].append(None)
                kinds = ["self_reported_differs"] if deviates else []
                R["noise"].append(kinds)
                R["expected"].append("loaded")
                self.noise_counts.update(kinds)

    # ================================================================== truth
    def files_frame(self) -> pl.DataFrame:
        f = self.files
        df = pl.DataFrame({
            "file_path": [x.path for x in f],
            "table_type": [x.table for x in f],
            "city_code": [x.city for x in f],
            "cutoff_date": [x.cutoff for x in f],
            "received_at": [x.received for x in f],
            "format": [x.fmt for x in f],
            "encoding": [x.encoding for x in f],
        }, schema_overrides={"city_code": pl.Utf8, "cutoff_date": pl.Date, "encoding": pl.Utf8,
                             "received_at": pl.Datetime("us")})
        late = pl.when(pl.col("cutoff_date").is_null()).then(None).otherwise(
            pl.col("received_at").dt.date() > pl.col("cutoff_date"))
        latest = pl.col("received_at") == pl.col("received_at").max().over(["city_code", "cutoff_date", "table_type"])
        current = pl.when(pl.col("cutoff_date").is_null()).then(True).otherwise(latest)
        return df.with_columns(is_late=late, is_current=current).select(
            "file_path", "table_type", "city_code", "cutoff_date", "received_at", "is_late", "is_current",
            "format", "encoding")


def hash_small(city: str, idx: int) -> int:
    """A small deterministic number from a slot (Python's hash() is salted per process)."""
    return sum((i + 1) * ord(ch) for i, ch in enumerate(f"{city}-{idx}"))


def generate(out: Path, truth: Path, seed: int, persons_per_city: int, campaign: Campaign,
             progress: Progress | None = None) -> Summary:
    """Write a demo campaign under `out` and its ground truth under `truth`."""
    say: Progress = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    out, truth = Path(out), Path(truth)
    if out.resolve() == truth.resolve() or truth.resolve().is_relative_to(out.resolve()):
        raise ValueError("the truth folder must lie outside the raw tree")
    out.mkdir(parents=True, exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)
    world = World(campaign, seed, persons_per_city)
    world.build(say)
    g = Generator(out, truth, seed, persons_per_city, campaign, say)
    g.plan(world)
    g.submissions(world)
    g.registries(world)
    files = g.files_frame()
    say("truth: resolving people and computing the expected statistics")
    result = truth_mod.compute(files, {k: dict(v) for k, v in g.logical.items()}, campaign)
    g.city_stats(result.stats)
    files = g.files_frame()
    # rows.parquet: person_resolvable from the contract's resolution (computed in truth.py).
    R = g.rows
    resolvable = [False] * len(R["file_path"])
    for rid, ok in zip(result.resolvable["rid"], result.resolvable["resolvable"], strict=True):
        resolvable[rid] = ok
    # Noise lists travel as "|"-joined text: building millions of tiny list Series is slow.
    rows = pl.DataFrame({
        "file_path": R["file_path"], "source_row": R["source_row"], "table_type": R["table_type"],
        "person_id": R["person_id"], "noise": ["|".join(k) for k in R["noise"]], "expected": R["expected"],
        "person_resolvable": resolvable,
    }, schema_overrides={"person_id": pl.Utf8, "source_row": pl.Int64})
    rows = rows.with_columns(
        noise=pl.when(pl.col("noise") == "").then(pl.lit([], pl.List(pl.Utf8)))
        .otherwise(pl.col("noise").str.split("|")),
        person_resolvable=pl.when(pl.col("person_id").is_null()).then(False).otherwise(pl.col("person_resolvable")))
    rows = rows.with_columns(
        person_resolvable=pl.when(pl.col("person_id").is_null()).then(False).otherwise(pl.col("person_resolvable")))
    rows.write_parquet(truth / "rows.parquet")
    files.write_parquet(truth / "files.parquet")
    persons = world.all_people()
    ledger_ids = set(rows.filter(pl.col("table_type") == "ledger")["person_id"].to_list())
    pl.DataFrame({
        "person_id": [p.pid for p in persons],
        "name": [p.name for p in persons],
        "gender": ["男" if p.male else "女" for p in persons],
        "birth_date": [p.birth for p in persons],
        "phone": [p.phone for p in persons],
        "home_city": [p.home_city for p in persons],
        "on_any_ledger": [p.pid in ledger_ids for p in persons],
        "find_one_candidate": [p.role == "find_one" for p in persons],
    }).write_parquet(truth / "persons.parquet")
    result.stats.write_parquet(truth / "expected_stats.parquet")
    result.stats.write_csv(truth / "expected_stats.csv")
    cut = campaign.cutoffs
    manifest = {
        "seed": seed,
        "persons_per_city": persons_per_city,
        "campaign_id": campaign.id,
        "files": files.height,
        "rows": rows.height,
        "noise_counts": dict(sorted(g.noise_counts.items())),
        "file_noise_counts": {k: len(v) for k, v in sorted(g.file_noise.items())},
        "file_noise": {k: sorted(v) for k, v in sorted(g.file_noise.items())},
        "missing_slots": [{"city_code": c, "cutoff_date": cut[i].isoformat()} for c, i in sorted(g.missing)],
        "late_files": sorted(files.filter(pl.col("is_late").fill_null(False))["file_path"].to_list()),
        "reuploaded_slots": [{"city_code": c, "cutoff_date": cut[i].isoformat(), "table_type": t}
                             for c, i, t in sorted(g.reuploads)],
        "cross_city_persons": g.cross_city,
        "cross_city_tie": None if not g.tie else {
            "cities": sorted(g.tie[:2]), "cutoff_date": cut[g.tie[2]].isoformat()},
        "folder_371200": {"city_code": g.laiwu_slot[0], "cutoff_date": cut[g.laiwu_slot[1]].isoformat()},
        "find_one_candidates": sum(p.role == "find_one" for p in persons),
        "person_quarantine_rows": int(rows.filter(~pl.col("person_resolvable") & pl.col("person_id").is_not_null()).height),
        "quarantined_rows": int((rows["expected"] == "quarantined").sum()),
    }
    (truth / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=False),
                                         encoding="utf-8")
    secs = time.perf_counter() - t0
    say(f"done: {files.height} files, {rows.height} rows in {secs:.1f}s")
    return Summary(out, truth, seed, persons_per_city, campaign.id, files.height, rows.height, secs, manifest)
