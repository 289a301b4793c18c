with source as (
    select * from {{ source('raw', 'campaign_cutoffs') }}
),

campaign as (
    select * from {{ ref('stg_campaign') }}
),

final as (
    select
        source.campaign_id,
        source.cutoff_seq,
        source.cutoff_date,
        campaign.campaign_start as window_start,
        source.cutoff_date as window_end,
        lag(source.cutoff_date) over (order by source.cutoff_date) as previous_cutoff_date
    from source
    inner join campaign on campaign.campaign_id = source.campaign_id
)

select * from final
