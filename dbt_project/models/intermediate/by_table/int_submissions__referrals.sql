-- The register's referrals files (macro submissions_slice, macros/by_table.sql).
{{ submissions_slice('referrals') }}
