-- 联系人: the campaign contact a city names (restricted downstream: phones).
with source as (
    select * from {{ source('raw', 'contacts') }}
),

final as (
    select
        {{ lineage_columns() }},
        source._city_code as city_code,
        source.name,
        source.unit,
        source.position,
        source.office_phone,
        source.mobile,
        source.email,
        {{ normalize_phone('source.mobile') }} as mobile_norm
    from source
)

select * from final
