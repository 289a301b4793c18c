"""Cell-level noise: every spoiling the contract promises to survive, applied on purpose
and named, so the ground truth can count it (the `noise` list of rows.parquet)."""

from __future__ import annotations

import datetime as dt
import random

from pipelines import terms
from tools.demo import ids
from tools.demo.writers import Cell, NumericId

DATE_STYLES = ("iso", "slash", "dot", "compact", "cn", "cell")
# Multi-value separators other than the usual 、 (docs/contract.md §3).
ODD_SEPARATORS = ("，", ",", "；", ";", "／", "/", " ")
NAME_DOT_VARIANTS = ("•", "・", "．")


def format_date(d: dt.date, style: str) -> Cell:
    if style == "cell":
        return d
    if style == "iso":
        return d.isoformat()
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if style == "compact":
        return f"{d:%Y%m%d}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    raise ValueError(style)


class Noiser:
    """Applies noise with given rates; `scale` lifts the rates at small K so every kind shows up."""

    def __init__(self, rng: random.Random, scale: float = 1.0) -> None:
        self.rng = rng
        self.s = scale

    def hit(self, rate: float) -> bool:
        return self.rng.random() < min(0.5, rate * self.s)

    # ---------------------------------------------------------------- IDs
    def id_cell(self, pid: str, fmt: str, typo_rate: float) -> tuple[Cell, str, list[str]]:
        """(cell as written, the text ingestion would load, noise kinds).

        One draw per cell against cumulative rates (this runs millions of times at K=20000)."""
        r = self.rng
        u = r.random()
        edge = 0.0
        for kind, rate in (("id_typo", typo_rate), ("numeric", 0.004), ("id_15digit", 0.01),
                           ("id_fullwidth", 0.01), ("id_spaces", 0.01)):
            edge += min(0.08, rate * self.s)
            if u >= edge:
                continue
            if kind == "id_typo":
                t = ids.typo(pid, r)
                return t, t, ["id_typo"]
            if kind == "numeric":
                v = ids.spoil_numeric(pid)
                text = ids.sci_text(v)
                if fmt == "csv":
                    return text, text, ["id_sci_text"]
                return NumericId(v), text, ["id_numeric_cell"]
            if kind == "id_15digit":
                if pid[6:8] != "19":  # 15-digit IDs predate 2000 births
                    break
                t = ids.to_15(pid)
                return t, t, ["id_15digit"]
            if kind == "id_fullwidth":
                t = ids.to_fullwidth(pid)
                return t, t, ["id_fullwidth"]
            t = rng_spaces_id(pid, r)
            return t, t, ["id_spaces"]
        if pid[-1] == "X" and r.random() < 0.3:
            t = pid[:-1] + "x"
            return t, t, ["id_lowercase_x"]
        return pid, pid, []

    # ---------------------------------------------------------------- names, phones
    def name_cell(self, name: str) -> tuple[str, list[str]]:
        u = self.rng.random()
        if "·" in name and u < 0.4:
            return name.replace("·", self.rng.choice(NAME_DOT_VARIANTS)), ["name_dot_variant"]
        if len(name) >= 2 and u > 1 - min(0.08, 0.01 * self.s):
            if u > 1 - min(0.04, 0.005 * self.s):
                return f"{name[0]} {name[1:]}", ["name_spaces"]
            return f" {name} ", ["name_spaces"]
        return name, []

    def phone_cell(self, phone: str) -> tuple[str, list[str]]:
        u = self.rng.random()
        a = min(0.15, 0.04 * self.s)
        b = a + min(0.08, 0.02 * self.s)
        c = b + min(0.08, 0.02 * self.s)
        if u < a:
            return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", ["phone_dashes"]
        if u < b:
            return f"+86 {phone}", ["phone_plus86"]
        if u < c:
            return f"{phone[:3]} {phone[3:7]} {phone[7:]}", ["phone_spaces"]
        return phone, []

    # ---------------------------------------------------------------- dates, multi
    def file_date_style(self, fmt: str) -> str:
        if fmt != "csv" and self.rng.random() < 0.5:
            return "cell"
        if self.rng.random() < 0.5:
            return "iso"
        return self.rng.choice(DATE_STYLES[1:5])

    def row_date_style(self, file_style: str, fmt: str) -> tuple[str, list[str]]:
        style = file_style
        if self.rng.random() < 0.12:
            choices = DATE_STYLES if fmt != "csv" else DATE_STYLES[:5]
            style = self.rng.choice(choices)
        return style, ([] if style == "iso" else [f"date_{style}"])

    def multi_cell(self, values: tuple[str, ...]) -> tuple[str, list[str]]:
        if len(values) > 1 and self.hit(0.15):
            return self.rng.choice(ODD_SEPARATORS).join(values), ["multi_separator"]
        return "、".join(values), []

    def money_cell(self, amount: float, fmt: str) -> tuple[Cell, list[str]]:
        if self.hit(0.03):
            if self.rng.random() < 0.5:
                return f"{amount:,.2f}", ["money_text"]
            return f"{amount:.2f}元", ["money_text"]
        return (f"{amount:.2f}" if fmt == "csv" else amount), []

    def header(self, col: terms.Column) -> tuple[str, list[str]]:
        kinds: list[str] = []
        h = col.header
        if col.aliases and self.rng.random() < 0.2:
            h = self.rng.choice(col.aliases)
            kinds.append("header_alias")
        if col.kind == "money" and self.rng.random() < 0.6:
            h += self.rng.choice(("（元）", "(元)"))
            kinds.append("header_unit")
        if "(" in h and self.rng.random() < 0.6:
            h = h.replace("(", "（").replace(")", "）")
            kinds.append("header_fullwidth_bracket")
        if self.rng.random() < 0.03:
            h = f" {h} "
            kinds.append("header_spaces")
        return h, kinds


def rng_spaces_id(pid: str, rng: random.Random) -> str:
    """Spaces the way people type IDs: groups, or a stray leading/trailing space."""
    if rng.random() < 0.5:
        return f"{pid[:6]} {pid[6:14]} {pid[14:]}"
    return f" {pid} "
