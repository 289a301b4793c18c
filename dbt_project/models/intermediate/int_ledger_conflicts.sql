-- Persons on several cities' ledgers at one cut-off (contract §5): one row per claiming
-- city, with the winning city (ledger received last; tie → lower city code). Feeds the
-- data-comparison mart; the losing cities do not count the person.
with entries as (
    select * from {{ ref('int_ledger_entries') }}
    where claiming_city_count > 1
),

winners as (
    select cutoff_date, person_id, city_code as winning_city_code
    from entries
    where is_owner
),

final as (
    select
        entries.cutoff_date,
        entries.person_id,
        entries.city_code,
        entries.is_owner as is_winner,
        winners.winning_city_code,
        entries.claiming_city_count,
        entries.ledger_received_at,
        entries.is_carried_forward,
        entries.source_cutoff_date,
        entries.identified_on,
        entries.file_path,
        entries.source_row
    from entries
    inner join winners using (cutoff_date, person_id)
)

select * from final
