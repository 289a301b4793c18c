"""Development tooling beside the product: the demo generator, benchmarks, scoring, fixtures.

Nothing under `pipelines/` imports this package (a test walks the imports).
"""
