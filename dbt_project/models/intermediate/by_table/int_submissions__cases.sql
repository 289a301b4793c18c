-- The register's cases files (macro submissions_slice, macros/by_table.sql).
{{ submissions_slice('cases') }}
