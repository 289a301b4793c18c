-- Registry 失业保险待遇发放 (ui_benefits): one row per row of every extract file,
-- typed and normalised. Natural key [payment_id]; de-duplicated in int_ui_benefits.
-- Registries carry no phone, so an invalid ID here can only be quarantined.
with source as (
    select * from {{ source('raw', 'reg_ui_benefits') }}
),

renamed as (
    select
        {{ lineage_columns() }},
        trim(source.payment_id) as payment_id,
        source.id_number as id_number_raw,
        source.name,
        source.city_code as city_code_raw,
        {{ normalize_city_code('source.city_code') }} as city_code,
        source.benefit_type,
        source.paid_on,
        source.amount_yuan
    from source
),

{{ person_staging_ctes(has_phone=false) }},

final as (
    select * from people
)

select * from final
