-- One row per (cutoff_date, city_code, person_id): who is on each city's ledger for each
-- cut-off of the campaign (contract §5).
--   * The ledger for (city, T) is the city's current ledger file (int_submissions) of the
--     folder T, or, when it sent none for T, of its latest earlier cut-off folder
--     (is_carried_forward, source_cutoff_date): macro current_list_rows.
--   * A person twice in one ledger is one entry: the row with a valid ID wins over a row
--     linked by name + phone, then the first row of the file (lowest source_row).
--   * is_owner marks the city the person belongs to at T: the ledger received last wins,
--     a tie goes to the lower city code (int_ledger_conflicts lists the losers).
-- Both choices are aggregates on the keys, joined back to the rows: as window functions
-- over the ledger's wide rows they took 3-3.5 s at 20,000 persons per city, as
-- aggregates 1.7 s (the same rows).
{{ config(rewrite_parts_by=['cutoff_date', 'city_code'], cutoffs_from_list='ledger') }}

with ledger_rows as (
    {{ current_list_rows('stg_ledger', 'ledger', person='inner') }}
),

-- The entry's row of each (cut-off, city, person): one file per (cut-off, city), so the
-- row is its source_row.
picked as (
    select
        cutoff_date,
        city_code,
        person_id,
        coalesce(
            min(case when resolution = 'valid_id' then source_row end),
            min(source_row)
        ) as source_row,
        max(received_at) as received_at
    from ledger_rows
    group by cutoff_date, city_code, person_id
),

claims as (
    select
        cutoff_date,
        person_id,
        count(*) as claiming_city_count,
        max(received_at) as last_received_at
    from picked
    group by cutoff_date, person_id
),

owner_cities as (
    select
        picked.cutoff_date,
        picked.person_id,
        min(picked.city_code) as owner_city_code
    from picked
    inner join claims
        on claims.cutoff_date = picked.cutoff_date
        and claims.person_id = picked.person_id
        -- null-safe: ledgers without a receipt time tie, as they did in a window
        and claims.last_received_at is not distinct from picked.received_at
    group by picked.cutoff_date, picked.person_id
),

entry_keys as (
    select
        picked.cutoff_date,
        picked.city_code,
        picked.source_row,
        claims.claiming_city_count,
        picked.city_code = owner_cities.owner_city_code as is_owner
    from picked
    inner join claims
        on claims.cutoff_date = picked.cutoff_date
        and claims.person_id = picked.person_id
    inner join owner_cities
        on owner_cities.cutoff_date = picked.cutoff_date
        and owner_cities.person_id = picked.person_id
),

final as (
    select
        entry_rows.cutoff_date,
        entry_rows.city_code,
        entry_rows.person_id,
        entry_rows.resolution,
        entry_rows.source_cutoff_date,
        entry_rows.is_carried_forward,
        entry_rows.received_at as ledger_received_at,
        entry_rows.file_sha256,
        entry_rows.file_path,
        entry_rows.source_row,
        entry_rows.name,
        entry_rows.name_norm,
        entry_rows.phone,
        entry_rows.phone_norm,
        entry_rows.gender_reported,
        entry_rows.district,
        entry_rows.categories,
        entry_rows.unemployment_registered_on,
        entry_rows.graduated_on,
        entry_rows.identified_on,
        entry_rows.employment_status,
        entry_rows.job_wish,
        entry_rows.service_needs,
        entry_rows.assistance_plan,
        nullif(trim(coalesce(entry_rows.assistance_plan, '')), '') is not null as has_plan,
        entry_rows.employed_on,
        entry_rows.employment_channel,
        entry_rows.employer,
        entry_keys.claiming_city_count,
        entry_keys.is_owner
    from ledger_rows as entry_rows
    inner join entry_keys
        on entry_keys.cutoff_date = entry_rows.cutoff_date
        and entry_keys.city_code = entry_rows.city_code
        and entry_keys.source_row = entry_rows.source_row
)

select * from final
