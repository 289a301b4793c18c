"""Ingestion: every upload and registry extract under the raw root into schema `raw`.

See docs/raw_layer.md for the interface this package produces.
"""

from pipelines.ingest.run import IngestSummary, ingest_all
from pipelines.ingest.schema import create_raw_tables

__all__ = ["IngestSummary", "create_raw_tables", "ingest_all"]
