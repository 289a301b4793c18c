-- The register's bases files (macro submissions_slice, macros/by_table.sql).
{{ submissions_slice('bases') }}
