"""统一社会信用代码 (GB 32100) in Python: python-stdnum's cn.uscc, the reference the dbt
macro `uscc_is_valid` (dbt_project/macros/uscc.sql) is tested against.
"""

from __future__ import annotations

from stdnum.cn import uscc


def uscc_is_invalid(code: str | None) -> bool:
    """True when a code is present and fails GB 32100 (length, format or check character)."""
    if code is None or not str(code).strip():
        return False
    return not uscc.is_valid(str(code))
