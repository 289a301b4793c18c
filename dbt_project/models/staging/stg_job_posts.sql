-- 岗位信息: job postings collected by a city, one row per row sent.
with final as (
    select
        {{ submission_lineage_columns() }},
        trim(source.post_id) as post_id,
        source.employer,
        {{ uscc_columns('employer_uscc') }},
        source.title,
        source.category,
        source.openings,
        source.requirements,
        source.salary_min,
        source.salary_max,
        source.published_on,
        {{ yes_no_boolean('source.is_discriminatory') }} as is_discriminatory,
        source.removed_on
    from {{ source('raw', 'job_posts') }} as source
)

select * from final
