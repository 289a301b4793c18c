"""person_key: HMAC-SHA256 of the 身份证号 with the run's secret (contract §11).

The warehouse computes the key in SQL (macro `person_key`, on DuckDB and on Spark), and SQL
has no HMAC function that both engines share. HMAC is two sha256 passes over the key
XOR-ed with two constant pads (RFC 2104); the XOR needs nothing but the secret, so it is
done here, once, and dbt receives the two padded keys as hex. The macro then needs only
`unhex`, `||` on bytes and `sha256`, which both engines have. `person_key()` below is the
reference the tests compare the SQL with.
"""

from __future__ import annotations

import hashlib
import hmac

BLOCK_SIZE = 64  # sha256's block size in bytes: the HMAC key is padded (or hashed) to it
IPAD_ENV = "WARMHEART_PERSON_KEY_IPAD"
OPAD_ENV = "WARMHEART_PERSON_KEY_OPAD"
# What a fingerprint of the key is computed over: published beside the marts, so a run
# whose key differs from the last publication's (every person_key would change) is told.
FINGERPRINT_LABEL = b"warmheart person_key fingerprint"


def _block_key(secret: str) -> bytes:
    key = secret.encode("utf-8")
    if len(key) > BLOCK_SIZE:
        key = hashlib.sha256(key).digest()
    return key.ljust(BLOCK_SIZE, b"\0")


def hmac_pads(secret: str) -> tuple[str, str]:
    """The key XOR 0x36… (inner) and XOR 0x5c… (outer), each as 128 hex digits."""
    key = _block_key(secret)
    inner = bytes(b ^ 0x36 for b in key)
    outer = bytes(b ^ 0x5C for b in key)
    return inner.hex(), outer.hex()


def dbt_env(secret: str) -> dict[str, str]:
    """What dbt needs to compute person_key with this secret (the macro's two variables)."""
    inner, outer = hmac_pads(secret)
    return {IPAD_ENV: inner, OPAD_ENV: outer}


def person_key(secret: str, person_id: str) -> str:
    """The key the warehouse gives a person: hex HMAC-SHA256(secret, UTF-8 ID)."""
    return hmac.new(secret.encode("utf-8"), person_id.encode("utf-8"), hashlib.sha256).hexdigest()


def fingerprint(secret: str) -> str:
    """16 hex digits that tell keys apart without revealing them (HMAC of a fixed label)."""
    return hmac.new(secret.encode("utf-8"), FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]
