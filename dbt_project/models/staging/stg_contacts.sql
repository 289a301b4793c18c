-- 联系人: the campaign contact a city names (restricted downstream: phones).
with final as (
    select
        {{ submission_lineage_columns() }},
        source.name,
        source.unit,
        source.position,
        source.office_phone,
        source.mobile,
        source.email,
        {{ normalize_phone('source.mobile') }} as mobile_norm
    from {{ source('raw', 'contacts') }} as source
)

select * from final
