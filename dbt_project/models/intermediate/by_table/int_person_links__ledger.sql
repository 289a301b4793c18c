-- The ledger records resolved to a person (macro person_links, macros/by_table.sql).
{{ person_links('ledger') }}
