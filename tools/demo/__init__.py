"""Demo-campaign generator: a province's worth of city uploads and registries, with ground truth.

python -m tools.demo --out data/raw --seed 7 --persons-per-city 200
"""

import os

# Polars' allocator (jemalloc) keeps freed pages a while (Polars sets 0.5 s dirty, then
# 1 s "muzzy"), and the truth step frees and reallocates frames of hundreds of MB: handing
# muzzy pages back at once keeps the peak at 20,000 persons per city under 2 GiB
# (2.04 → 1.83 GiB, 50-55 s either way); dirty pages at once as well gave 1.70 GiB but
# 68 s. jemalloc reads this when Polars loads (Polars puts its defaults before it; the
# last setting of a key wins): set here, before the generator imports Polars, and appended
# to what a parent process (one that loaded Polars, as the benchmark has) passed down.
ALLOCATOR = "dirty_decay_ms:500,muzzy_decay_ms:0"
_inherited = os.environ.get("_RJEM_MALLOC_CONF", "")
if not _inherited.endswith(ALLOCATOR):
    os.environ["_RJEM_MALLOC_CONF"] = f"{_inherited},{ALLOCATOR}" if _inherited else ALLOCATOR

from tools.demo.generator import Summary, generate  # noqa: E402

__all__ = ["Summary", "generate"]
