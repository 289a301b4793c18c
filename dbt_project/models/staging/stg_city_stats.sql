-- 统计表: the city's self-reported 17 figures, kept beside the warehouse's own figures.
with final as (
    select
        {{ submission_lineage_columns() }},
        source.unit,
        source.targets_identified,
        source.long_term_unemployed,
        source.older_workers,
        source.disabled,
        source.dibao_members,
        source.visits,
        source.job_posts_collected,
        source.special_recruitment_events,
        source.onsite_job_fairs,
        source.jobs_pushed,
        source.employed,
        source.employed_by_enterprise,
        source.employed_flexibly,
        source.employed_public_welfare,
        source.discriminatory_posts_removed,
        source.temp_relief_payments,
        source.temp_relief_amount_yuan
    from {{ source('raw', 'city_stats') }} as source
)

select * from final
