-- 典型案例: free text for the final summary, kept exactly as written (ingestion kind
-- "prose"); it is only ever shown, never evaluated.
with source as (
    select * from {{ source('raw', 'cases') }}
),

final as (
    select
        {{ lineage_columns() }},
        source._city_code as city_code,
        source.title,
        source.content,
        source.people_involved
    from source
)

select * from final
