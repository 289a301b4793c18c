-- The register's suggestions files (macro submissions_slice, macros/by_table.sql).
{{ submissions_slice('suggestions') }}
