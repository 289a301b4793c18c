-- 典型案例: free text for the final summary, kept exactly as written (ingestion kind
-- "prose"); it is only ever shown, never evaluated.
with final as (
    select
        {{ submission_lineage_columns() }},
        source.title,
        source.content,
        source.people_involved
    from {{ source('raw', 'cases') }} as source
)

select * from final
