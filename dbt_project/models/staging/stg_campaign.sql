with final as (
    select
        campaign_id,
        campaign_name,
        campaign_start,
        campaign_end,
        timezone,
        min_referrals_per_target,
        special_event_block_days,
        long_term_unemployed_days,
        older_worker_age_female,
        older_worker_age_male
    from {{ source('raw', 'campaign') }}
)

select * from final
