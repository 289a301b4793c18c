-- The reg_temp_relief records resolved to a person (macro person_links, macros/by_table.sql).
{{ person_links('reg_temp_relief') }}
