-- Registry 低保 (dibao): one row per row of every extract file,
-- typed and normalised. Natural key [id_number, started_on]; de-duplicated in int_dibao.
-- Registries carry no phone, so an invalid ID here can only be quarantined.
with source as (
    select * from {{ source('raw', 'reg_dibao') }}
),

renamed as (
    select
        {{ lineage_columns() }},
        source.id_number as id_number_raw,
        source.name,
        source.household_id,
        source.city_code as city_code_raw,
        {{ normalize_city_code('source.city_code') }} as city_code,
        source.dibao_type,
        source.started_on,
        source.ended_on
    from source
),

{{ person_staging_ctes(has_phone=false) }},

final as (
    select * from people
)

select * from final
