"""Demo-campaign generator: a province's worth of city uploads and registries, with ground truth.

python -m tools.demo --out data/raw --seed 7 --persons-per-city 200
"""

from tools.demo.generator import Summary, generate

__all__ = ["Summary", "generate"]
