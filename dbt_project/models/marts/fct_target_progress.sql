-- Campaign targets per person (contract §7): one row per (cut-off, target), in the city
-- the target belongs to at that cut-off. Pseudonymous: person_key only.
-- A correction rewrites only the (cut-off, city) parts whose rows changed (macros/build_memo.sql).
{{ config(rewrite_parts_by=['cutoff_date', 'city_code'], parts_follow=['int_target_facts']) }}
with campaign as (
    select * from {{ ref('stg_campaign') }}
),

cutoffs as (
    select cutoff_date, window_start, window_end from {{ ref('stg_campaign_cutoffs') }}
),

targets as (
    select * from {{ ref('int_target_facts') }}
),

target_visits as (
    {{ own_target_records_at_cutoff('int_visits', 'visited_on') }}
),

target_referrals as (
    {{ own_target_records_at_cutoff('int_referrals', 'referred_on') }}
),

target_relief_payments as (
    {{ target_relief_payments_at_cutoff() }}
),

-- Distinct postings C pushed to the person, known at T and dated in the window
-- (the same identity as jobs_pushed in rpt_campaign_stats).
referrals as (
    select
        cutoff_date,
        person_id,
        count(distinct post_id) as referrals_in_window
    from target_referrals
    group by cutoff_date, person_id
),

visits as (
    select
        cutoff_date,
        person_id,
        count(distinct (visited_on, visit_method)) as visits_in_window  -- noqa: LT01,LT06
    from target_visits
    group by cutoff_date, person_id
),

relief as (
    select
        cutoff_date,
        person_id,
        count(distinct payment_id) as relief_payments_in_window,
        sum(amount_yuan) as relief_amount_yuan
    from target_relief_payments
    group by cutoff_date, person_id
),

joined as (
    select
        targets.cutoff_date,
        targets.city_code,
        targets.person_key,
        targets.employment_status,
        targets.employed_on,
        targets.has_plan,
        targets.is_carried_forward,
        cutoffs.window_start,
        cutoffs.window_end,
        campaign.min_referrals_per_target,
        coalesce(referrals.referrals_in_window, 0) as referrals_in_window,
        coalesce(visits.visits_in_window, 0) as visits_in_window,
        coalesce(relief.relief_payments_in_window, 0) as relief_payments_in_window,
        coalesce(relief.relief_amount_yuan, 0) as relief_amount_yuan,
        targets.is_dibao_member,
        targets.has_ui_payment_in_window,
        targets.is_employed_in_window,
        -- Already in work when the campaign began: the 3-referral target does not apply.
        targets.was_employed_before_campaign,
        targets.employment_channel
    from targets
    inner join cutoffs using (cutoff_date)
    cross join campaign
    left join referrals using (cutoff_date, person_id)
    left join visits using (cutoff_date, person_id)
    left join relief using (cutoff_date, person_id)
),

final as (
    select
        cutoff_date,
        city_code,
        person_key,
        is_carried_forward,
        referrals_in_window,
        not was_employed_before_campaign as is_referral_target_applicable,
        case
            when not was_employed_before_campaign
                then referrals_in_window >= min_referrals_per_target
        end as is_referral_target_met,
        visits_in_window,
        visits_in_window > 0 as is_visited,
        coalesce(has_plan, false) as has_plan,
        employment_status,
        was_employed_before_campaign,
        is_employed_in_window,
        case when is_employed_in_window then employed_on end as employed_on,
        case when is_employed_in_window then employment_channel end as employment_channel,
        is_dibao_member,
        has_ui_payment_in_window,
        -- Temporary relief: 未就业 at T, no 失业保险 payment in the window, no 低保 overlapping it.
        (
            coalesce(employment_status = {{ term('UNEMPLOYED') }}, false)
            and not has_ui_payment_in_window
            and not is_dibao_member
        ) as is_relief_eligible,
        relief_payments_in_window,
        round(relief_amount_yuan, 2)::double as relief_amount_yuan,
        relief_payments_in_window > 0 as is_relief_paid,
        -- 低保渐退: a 低保 member who found work in the window keeps 低保 for a while.
        is_dibao_member and is_employed_in_window as is_dibao_phaseout_candidate
    from joined
)

select * from final
