-- The register's pairings files (macro submissions_slice, macros/by_table.sql).
{{ submissions_slice('pairings') }}
