-- Registry 持证残疾人 (disability): one row per row of every extract file,
-- typed and normalised. Natural key [id_number]; de-duplicated in int_disability.
-- Registries carry no phone, so an invalid ID here can only be quarantined.
with source as (
    select * from {{ source('raw', 'reg_disability') }}
),

renamed as (
    select
        {{ lineage_columns() }},
        source.id_number as id_number_raw,
        source.name,
        source.city_code as city_code_raw,
        {{ normalize_city_code('source.city_code') }} as city_code,
        source.disability_type,
        source.disability_grade,
        source.certified_on
    from source
),

{{ person_staging_ctes(has_phone=false) }},

final as (
    select * from people
)

select * from final
