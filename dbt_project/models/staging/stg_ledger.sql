-- 援助对象台账: one row per ledger row as sent, typed and with normalised person columns.
-- Decides nothing: whether the file counts (int_submissions) and who the person is
-- (int_person_links) are decided downstream.
with source as (
    select * from {{ source('raw', 'ledger') }}
),

renamed as (
    select
        {{ lineage_columns() }},
        source._city_code as city_code,
        source.seq,
        source.name,
        source.id_number as id_number_raw,
        source.gender as gender_reported,
        source.phone,
        source.district,
        source.categories,
        source.unemployment_registered_on,
        source.graduated_on,
        source.identified_on,
        source.employment_status,
        source.job_wish,
        source.service_needs,
        source.assistance_plan,
        source.employed_on,
        source.employment_channel,
        source.employer
    from source
),

{{ person_staging_ctes() }}

select * from final
