-- The register's visits files (macro submissions_slice, macros/by_table.sql).
{{ submissions_slice('visits') }}
