-- The register's contacts files (macro submissions_slice, macros/by_table.sql).
{{ submissions_slice('contacts') }}
