-- Reporting completeness in the spirit of DHIS2 reporting rates: for every cut-off of the
-- campaign, every city and every table a city is expected to send, whether the report
-- arrived (a current file exists in that cut-off folder) and whether it arrived on time
-- (the current file was received by the end of the cut-off day, China time).
-- Lateness never drops data (contract §2); this mart only reports it.
with campaign as (
    select * from {{ ref('stg_campaign') }}
),

cutoffs as (
    select * from {{ ref('stg_campaign_cutoffs') }}
),

cities as (
    select city_code, city_name from {{ ref('ref_cities') }}
),

-- The tables a city sends every cut-off (contract §3, terms.EVERY_CUTOFF_TABLES); the
-- ledger is a snapshot, so a missing ledger falls back to the latest earlier one (carried
-- forward, contract §5).
expected_tables as (
    select table_type, table_title, display_order from {{ ref('ref_expected_tables') }}
),

submissions as (
    select submissions.*
    from {{ ref('int_submissions') }} as submissions
    inner join campaign on campaign.campaign_id = submissions.campaign_id
),

current_files as (
    select * from submissions where is_current
),

unrecognised_files as (
    select cutoff_date, city_code, count(*) as unrecognised_files
    from submissions
    where table_type is null
    group by all
),

slots as (
    select
        cutoffs.campaign_id,
        cutoffs.cutoff_seq,
        cutoffs.cutoff_date,
        cities.city_code,
        cities.city_name,
        expected_tables.table_type,
        expected_tables.table_title,
        expected_tables.display_order
    from cutoffs
    cross join cities
    cross join expected_tables
),

-- The latest earlier ledger a city sent, for slots where it sent none.
earlier_ledgers as (
    select
        slots.cutoff_date,
        slots.city_code,
        max(current_files.cutoff_date) as carried_from_cutoff_date
    from slots
    inner join current_files
        on current_files.city_code = slots.city_code
        and current_files.table_type = 'ledger'
        and current_files.cutoff_date < slots.cutoff_date
    where slots.table_type = 'ledger'
    group by all
),

joined as (
    select
        slots.*,
        current_files.file_path as current_file_path,
        current_files.received_at as current_received_at,
        current_files.is_late as current_is_late,
        current_files.uploads_for_slot,
        current_files.rows_loaded as current_rows_loaded,
        current_files.rows_quarantined as current_rows_quarantined,
        earlier_ledgers.carried_from_cutoff_date,
        coalesce(unrecognised_files.unrecognised_files, 0) as unrecognised_files_in_folder
    from slots
    left join current_files using (cutoff_date, city_code, table_type)
    left join earlier_ledgers
        on earlier_ledgers.cutoff_date = slots.cutoff_date
        and earlier_ledgers.city_code = slots.city_code
        and slots.table_type = 'ledger'
    left join unrecognised_files
        on unrecognised_files.cutoff_date = slots.cutoff_date
        and unrecognised_files.city_code = slots.city_code
),

final as (
    select
        campaign_id,
        cutoff_seq,
        cutoff_date,
        city_code,
        city_name,
        table_type,
        table_title,
        display_order,
        1 as expected,
        (current_file_path is not null)::integer as received,
        (current_file_path is not null and not coalesce(current_is_late, false))::integer as on_time,
        (current_file_path is not null and coalesce(current_is_late, false))::integer as late,
        coalesce(
            table_type = 'ledger' and current_file_path is null and carried_from_cutoff_date is not null,
            false
        ) as is_carried_forward,
        case when current_file_path is null then carried_from_cutoff_date end as carried_from_cutoff_date,
        coalesce(uploads_for_slot, 0) as uploads,
        current_file_path,
        current_received_at,
        current_rows_loaded,
        current_rows_quarantined,
        unrecognised_files_in_folder
    from joined
)

select * from final
