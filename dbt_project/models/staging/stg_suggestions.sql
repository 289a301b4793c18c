-- 意见建议: free text for the final summary, kept exactly as written.
with final as (
    select
        {{ submission_lineage_columns() }},
        source.content
    from {{ source('raw', 'suggestions') }} as source
)

select * from final
