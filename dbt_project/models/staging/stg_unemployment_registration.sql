-- Registry 失业登记 (unemployment_registration): one row per row of every extract file,
-- typed and normalised. Natural key [id_number, registered_on]; de-duplicated in int_unemployment_registration.
-- Registries carry no phone, so an invalid ID here can only be quarantined.
with source as (
    select * from {{ source('raw', 'reg_unemployment_registration') }}
),

renamed as (
    select
        {{ lineage_columns() }},
        source.id_number as id_number_raw,
        source.name,
        source.city_code as city_code_raw,
        {{ normalize_city_code('source.city_code') }} as city_code,
        source.registered_on,
        source.cancelled_on,
        source.cancel_reason
    from source
),

{{ person_staging_ctes(has_phone=false) }},

final as (
    select * from people
)

select * from final
