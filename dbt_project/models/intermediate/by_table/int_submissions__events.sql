-- The register's events files (macro submissions_slice, macros/by_table.sql).
{{ submissions_slice('events') }}
