-- Campaign targets per city and cut-off (contract §7): counts and rates from
-- fct_target_progress, and the special-event cadence (≥ 1 专场 per 14-day block),
-- plus the province row 370000 (sums; rates recomputed from the sums).
--
-- Cadence decision: blocks are consecutive `special_event_block_days`-day blocks from the
-- campaign start, the last one cut at the campaign end. At cut-off T a block that has
-- started but ends after T is *partial*: it counts as met as soon as an event is held in
-- it, and is never counted as missed (the city still has time). So
--   event_blocks_due = complete blocks + partial blocks already met,
--   event_cadence_rate = event_blocks_met / event_blocks_due.
{%- set person_counts = [
    'targets', 'referral_targets', 'referral_targets_met', 'referrals', 'targets_visited',
    'targets_with_plan', 'targets_employed', 'relief_eligible', 'relief_eligible_paid',
    'dibao_phaseout_candidates',
] %}
{%- set block_counts = [
    'event_blocks_started', 'event_blocks_complete', 'event_blocks_met', 'event_blocks_missed',
    'event_blocks_due',
] %}
with campaign as (
    select * from {{ ref('stg_campaign') }}
),

cutoffs as (
    select cutoff_date, window_start, window_end from {{ ref('stg_campaign_cutoffs') }}
),

cities as (
    select city_code from {{ ref('ref_cities') }}
),

progress as (
    select * from {{ ref('fct_target_progress') }}
),

person_figures as (
    select
        cutoff_date,
        city_code,
        count(*) as targets,
        count(*) filter (where is_referral_target_applicable) as referral_targets,
        count(*) filter (where is_referral_target_met) as referral_targets_met,
        sum(referrals_in_window) as referrals,
        count(*) filter (where is_visited) as targets_visited,
        count(*) filter (where has_plan) as targets_with_plan,
        count(*) filter (where is_employed_in_window) as targets_employed,
        count(*) filter (where is_relief_eligible) as relief_eligible,
        count(*) filter (where is_relief_eligible and is_relief_paid) as relief_eligible_paid,
        count(*) filter (where is_dibao_phaseout_candidate) as dibao_phaseout_candidates
    from progress
    group by cutoff_date, city_code
),

blocks as (
    select
        block.block_seq + 1 as block_seq,
        (campaign.campaign_start + (block.block_seq * campaign.special_event_block_days)::integer)
            as block_start,
        least(
            campaign.campaign_start
            + ((block.block_seq + 1) * campaign.special_event_block_days - 1)::integer,
            campaign.campaign_end
        ) as block_end
    from campaign
    cross join lateral (
        select {{ unnest_range(
            "ceil((" ~ dbt.datediff('campaign.campaign_start', 'campaign.campaign_end', 'day')
            ~ " + 1) / campaign.special_event_block_days)::bigint"
        ) }} as block_seq
    ) as block
),

cutoff_blocks as (
    select
        cutoffs.cutoff_date,
        blocks.block_seq,
        blocks.block_start,
        blocks.block_end,
        blocks.block_end <= cutoffs.cutoff_date as is_complete,
        -- A block still running at T counts the events held up to T.
        least(blocks.block_end, cutoffs.cutoff_date) as counted_until
    from cutoffs
    inner join blocks on blocks.block_start <= cutoffs.cutoff_date
),

-- Special events as known at each cut-off (a later correction never changes an earlier one).
special_events as (
    select cutoff_date, city_code, event_id, held_on
    from {{ ref('int_events_at_cutoff') }}
    where is_special
),

city_blocks as (
    select
        cutoff_blocks.cutoff_date,
        cities.city_code,
        cutoff_blocks.block_seq,
        cutoff_blocks.is_complete,
        count(distinct special_events.event_id) as special_events
    from cutoff_blocks
    cross join cities
    left join special_events
        on special_events.city_code = cities.city_code
        and special_events.cutoff_date = cutoff_blocks.cutoff_date
        and special_events.held_on between cutoff_blocks.block_start and cutoff_blocks.counted_until
    group by all
),

block_figures as (
    select
        cutoff_date,
        city_code,
        count(*) as event_blocks_started,
        count(*) filter (where is_complete) as event_blocks_complete,
        count(*) filter (where special_events > 0) as event_blocks_met,
        count(*) filter (where is_complete and special_events = 0) as event_blocks_missed,
        count(*) filter (where is_complete or special_events > 0) as event_blocks_due
    from city_blocks
    group by cutoff_date, city_code
),

-- Every city has its blocks (city_blocks), so the block counts are never missing.
city_counts as (
    {{ every_city_at_every_cutoff(
        {'person_figures': person_counts, 'block_figures': block_counts},
        nullable=block_counts,
    ) }}
),

-- The province row: every count is the sum of the city rows (a person belongs to one
-- city); the event blocks are city-blocks (16 cities × blocks), so its cadence rate is
-- the share of all cities' due blocks that were met, and it is met only when no city
-- missed a block. Rates are recomputed from the sums, never averaged.
counts as (
    {{ with_province_sums('city_counts', person_counts + block_counts) }}
),

final as (
    select
        cutoff_date,
        city_code,
        city_name,
        {{ bigint_counts(['targets', 'referral_targets', 'referral_targets_met']) }},
        {{ rate('referral_targets_met', 'referral_targets') }} as referral_coverage_rate,
        {{ bigint_counts(['referrals', 'targets_visited']) }},
        {{ rate('targets_visited', 'targets') }} as visit_rate,
        targets_with_plan::bigint as targets_with_plan,
        {{ rate('targets_with_plan', 'targets') }} as plan_rate,
        targets_employed::bigint as targets_employed,
        {{ rate('targets_employed', 'targets') }} as employment_rate,
        {{ bigint_counts(['relief_eligible', 'relief_eligible_paid']) }},
        {{ rate('relief_eligible_paid', 'relief_eligible') }} as relief_coverage_rate,
        {{ bigint_counts(['dibao_phaseout_candidates'] + block_counts) }},
        {{ rate('event_blocks_met', 'event_blocks_due') }} as event_cadence_rate,
        event_blocks_missed = 0 as is_event_cadence_met
    from counts
)

select * from final
