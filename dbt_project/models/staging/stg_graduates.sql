-- Registry 离校未就业高校毕业生 (graduates): one row per row of every extract file,
-- typed and normalised. Natural key [id_number]; de-duplicated in int_graduates.
-- Registries carry no phone, so an invalid ID here can only be quarantined.
with source as (
    select * from {{ source('raw', 'reg_graduates') }}
),

renamed as (
    select
        {{ lineage_columns() }},
        source.id_number as id_number_raw,
        source.name,
        source.city_code as city_code_raw,
        {{ normalize_city_code('source.city_code') }} as city_code,
        source.school,
        source.degree,
        source.graduated_on,
        source.employment_status
    from source
),

{{ person_staging_ctes(has_phone=false) }},

final as (
    select * from people
)

select * from final
