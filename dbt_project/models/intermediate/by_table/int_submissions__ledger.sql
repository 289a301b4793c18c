-- The register's ledger files (macro submissions_slice, macros/by_table.sql).
{{ submissions_slice('ledger') }}
