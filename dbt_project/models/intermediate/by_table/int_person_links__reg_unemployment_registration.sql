-- The reg_unemployment_registration records resolved to a person (macro person_links, macros/by_table.sql).
{{ person_links('reg_unemployment_registration') }}
