-- The reg_poverty_alleviated records resolved to a person (macro person_links, macros/by_table.sql).
{{ person_links('reg_poverty_alleviated') }}
