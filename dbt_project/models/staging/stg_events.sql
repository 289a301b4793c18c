-- 招聘活动: recruitment events held by a city, one row per row sent.
with final as (
    select
        {{ submission_lineage_columns() }},
        trim(source.event_id) as event_id,
        source.event_name,
        source.held_on,
        source.event_form,
        {{ yes_no_boolean('source.is_special') }} as is_special,
        source.employers_count,
        source.posts_offered,
        source.participants
    from {{ source('raw', 'events') }} as source
)

select * from final
