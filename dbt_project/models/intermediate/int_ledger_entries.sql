-- One row per (cutoff_date, city_code, person_id): who is on each city's ledger for each
-- cut-off of the campaign (contract §5).
--   * The ledger for (city, T) is the city's current ledger file (int_submissions) of the
--     folder T, or, when it sent none for T, of its latest earlier cut-off folder
--     (is_carried_forward, source_cutoff_date): macro current_list_rows.
--   * A person twice in one ledger is one entry: the row with a valid ID wins over a row
--     linked by name + phone, then the first row of the file (lowest source_row).
--   * is_owner marks the city the person belongs to at T: the ledger received last wins,
--     a tie goes to the lower city code (int_ledger_conflicts lists the losers).
with ledger_rows as (
    {{ current_list_rows('stg_ledger', 'ledger', person='inner') }}
),

entries as (
    select
        cutoff_date,
        city_code,
        person_id,
        resolution,
        source_cutoff_date,
        is_carried_forward,
        received_at as ledger_received_at,
        file_sha256,
        file_path,
        source_row,
        name,
        name_norm,
        phone,
        phone_norm,
        gender_reported,
        district,
        categories,
        unemployment_registered_on,
        graduated_on,
        identified_on,
        employment_status,
        job_wish,
        service_needs,
        assistance_plan,
        nullif(trim(coalesce(assistance_plan, '')), '') is not null as has_plan,
        employed_on,
        employment_channel,
        employer,
        row_number() over (
            partition by cutoff_date, city_code, person_id
            order by (resolution = 'valid_id') desc, source_row
        ) as duplicate_rank
    from ledger_rows
),

deduplicated as (
    select {{ star_except(['duplicate_rank']) }}
    from entries
    where duplicate_rank = 1
),

final as (
    select
        *,
        count(*) over (partition by cutoff_date, person_id) as claiming_city_count,
        row_number() over (
            partition by cutoff_date, person_id
            order by ledger_received_at desc, city_code asc
        ) = 1 as is_owner
    from deduplicated
)

select * from final
