-- 援助对象台账: one row per ledger row as sent, typed and with normalised person columns.
-- Decides nothing: whether the file counts (int_submissions) and who the person is
-- (int_person_links) are decided downstream.
{{ config(stage_by_file=true) }}

with renamed as (
    select
        {{ submission_lineage_columns() }},
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
    from {{ source('raw', 'ledger') }} as source
),

{{ person_staging_ctes() }}

select * from final
