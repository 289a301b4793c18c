"""The quality gate: GX suites (expectations/*.json) and Python invariants run on the warehouse.

Nothing is published unless every blocking check passed; see docs/quality_gate.md.
"""
