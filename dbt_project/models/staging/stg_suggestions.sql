-- 意见建议: free text for the final summary, kept exactly as written.
with source as (
    select * from {{ source('raw', 'suggestions') }}
),

final as (
    select
        {{ lineage_columns() }},
        source._city_code as city_code,
        source.content
    from source
)

select * from final
