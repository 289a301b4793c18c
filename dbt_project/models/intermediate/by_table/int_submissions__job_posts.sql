-- The register's job_posts files (macro submissions_slice, macros/by_table.sql).
{{ submissions_slice('job_posts') }}
