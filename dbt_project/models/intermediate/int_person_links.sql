-- Every person-bearing record of every file (current or not), resolved to a person
-- (contract §5):
--   * a valid normalised ID is the person;
--   * an invalid ID is linked when its name_norm AND phone_norm match exactly one
--     valid-ID person on any current ledger (any city, any cut-off of the campaign).
--     A one-digit typo fails the check character, so it lands here and is linked
--     instead of creating a second person;
--   * anything else stays unresolved, with a reason (int_person_quarantine).
-- Only ledgers carry a phone, so visits, referrals, pairings and registry rows with an
-- invalid ID can never meet the contract's evidence (same name and phone) and are
-- quarantined. Of 结对帮扶 only 干部结对援助对象 rows name a person.
-- Each table's records are resolved by a model of their own (int_person_links__<table>,
-- macro person_links in macros/by_table.sql, linked by int_person_evidence), so that a
-- correction of one table rebuilds only its own slice. This is their union, kept for the
-- tests and for anyone reading the warehouse; models read the slices (macro
-- all_person_links). On DuckDB it is a view: as a table it was rewritten whole, 4 M rows,
-- whenever any slice changed. On Spark it stays a table (the warehouse imports tables).
{{ config(materialized='view' if target.type == 'duckdb' else 'table') }}

with links as (
    {{ all_person_links() }}
),

final as (
    select * from links
)

select * from final
