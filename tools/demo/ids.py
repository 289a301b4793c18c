"""ID numbers (GB 11643), credit codes (GB 32100), region codes and the text noise applied to them.

The generator needs both directions: build valid identifiers, and spoil them the
way real spreadsheets do. The normalisation here follows docs/contract.md §5 and is used
only by the ground truth (an independent implementation, not the warehouse's).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from functools import cache
from pathlib import Path

import stdnum
from stdnum.cn import uscc

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}
_HALFWIDTH = {ord(v): k for k, v in _FULLWIDTH.items()} | {0x3000: " "}


def id_check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits.

    Written out here, not taken from the warehouse or python-stdnum: the ground truth
    is an independent implementation of docs/contract.md §5 on purpose."""
    return ID_CHECK_CHARS[sum(int(d) * w for d, w in zip(body17, ID_WEIGHTS, strict=True)) % 11]


def make_id(region: str, birth: dt.date, seq: int, male: bool) -> str:
    """An 18-digit ID; the 17th digit's parity carries the gender (odd = male)."""
    seq = (seq % 500) * 2 + (1 if male else 0)  # 0..999 with the right parity
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + id_check_char(body)


def to_15(id18: str) -> str:
    """The first-generation 15-digit form (no century, no check char)."""
    return id18[:6] + id18[8:17]


def to_fullwidth(text: str) -> str:
    return "".join(_FULLWIDTH.get(c, c) for c in text)


def to_halfwidth(text: str) -> str:
    return text.translate(_HALFWIDTH)


def typo(id18: str, rng: random.Random) -> str:
    """Change one digit among the first 17: MOD 11-2 detects every such error."""
    pos = rng.randrange(17)
    old = id18[pos]
    new = rng.choice([d for d in "0123456789" if d != old])
    return id18[:pos] + new + id18[pos + 1 :]


def spoil_numeric(id18: str) -> float:
    """What a spreadsheet makes of an ID typed as a number (digits beyond 15 lost)."""
    return float(id18[:17] + ("0" if id18[17] == "X" else id18[17]))


def sci_text(value: float) -> str:
    """The text a spreadsheet shows for such a number, as it lands in a CSV export."""
    mantissa, exp = f"{value:.8E}".split("E")
    return f"{mantissa.rstrip('0').rstrip('.')}E+{int(exp)}"


def normalize_id(text: str | None) -> str | None:
    """Contract §5: trim, half-width, x→X, 15→18 digits. None when it cannot be normalised."""
    if text is None:
        return None
    s = re.sub(r"\s+", "", to_halfwidth(str(text))).upper()
    if re.fullmatch(r"\d{15}", s):
        body = s[:6] + "19" + s[6:]
        return body + id_check_char(body)
    if re.fullmatch(r"\d{17}[\dX]", s):
        return s
    return None


def id_birth_date(id18: str) -> dt.date:
    return dt.date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))


def id_is_male(id18: str) -> bool:
    return int(id18[16]) % 2 == 1


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(region: str, rng: random.Random) -> str:
    """A 统一社会信用代码 with a correct GB 32100 check character (computed by stdnum)."""
    org = "".join(rng.choice("0123456789") for _ in range(6)) + "".join(
        rng.choice(_USCC_ALPHABET) for _ in range(3)
    )
    body = "91" + region + org
    return body + uscc.calc_check_digit(body)


@cache
def shandong_counties() -> dict[str, list[tuple[str, str]]]:
    """County-level region codes of Shandong per city prefix (3701.., 3712.. 莱芜 included),
    from stdnum's copy of the GB/T 2260 history: (code, name). Skips 市辖区 placeholders."""
    loc = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    out: dict[str, list[tuple[str, str]]] = {}
    in_sd = False
    for line in loc.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\d\d ", line):
            in_sd = line.startswith("37 ")
            continue
        m = re.match(r'^\s+(\d{4}) county="(.*)"', line)
        if not in_sd or not m:
            continue
        code, spec = m.groups()
        if code.endswith("00") or code.endswith("01"):
            continue
        # The latest name of the county: the last "[years]name" part.
        name = re.sub(r"^\[[^\]]*\]", "", spec.split(",")[-1])
        out.setdefault("37" + code[:2] + "00", []).append(("37" + code, name))
        if re.match(r"^\[\d{4}-\]", spec.split(",")[-1]) or not spec.startswith("["):
            CURRENT_COUNTIES.setdefault("37" + code[:2] + "00", []).append(("37" + code, name))
    return out


# Counties that still exist (for 所属区县): filled by shandong_counties().
CURRENT_COUNTIES: dict[str, list[tuple[str, str]]] = {}


def current_counties() -> dict[str, list[tuple[str, str]]]:
    shandong_counties()
    return CURRENT_COUNTIES
