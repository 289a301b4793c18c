-- The report (contract §6): the 17 figures of the statistics table per cut-off and city,
-- cumulative over the window [campaign start, cut-off], plus the province row 370000.
-- Every city gets a row at every cut-off, zeros when it has nothing yet.
-- The figure list is terms.FIGURE_NAMES in order (macro report_figures, generated).
{%- set report_figures = report_figures() %}
with cutoffs as (
    select cutoff_date, window_start, window_end from {{ ref('stg_campaign_cutoffs') }}
),

cities as (
    select city_code, city_name from {{ ref('ref_cities') }}
),

targets as (
    select * from {{ ref('int_target_facts') }}
),

-- A target of city C at T (int_targets applies the ledger, the winning city and
-- 认定日期 <= T) with its categories and employment (int_target_facts).
target_rows as (
    select
        cutoff_date,
        city_code,
        person_id,
        is_long_term_unemployed,
        is_older_worker,
        is_disabled,
        is_dibao_member,
        is_employed_in_window,
        employment_channel
    from targets
),

target_figures as (
    select
        cutoff_date,
        city_code,
        count(distinct person_id) as targets_identified,
        count(distinct person_id) filter (where is_long_term_unemployed) as long_term_unemployed,
        count(distinct person_id) filter (where is_older_worker) as older_workers,
        count(distinct person_id) filter (where is_disabled) as disabled,
        count(distinct person_id) filter (where is_dibao_member) as dibao_members,
        count(distinct person_id) filter (where is_employed_in_window) as employed,
        count(distinct person_id) filter (
            where is_employed_in_window and employment_channel = {{ term('CHANNEL_ENTERPRISE') }}
        ) as employed_by_enterprise,
        count(distinct person_id) filter (
            where is_employed_in_window and employment_channel = {{ term('CHANNEL_FLEXIBLE') }}
        ) as employed_flexibly,
        count(distinct person_id) filter (
            where is_employed_in_window and employment_channel = {{ term('CHANNEL_PUBLIC_WELFARE') }}
        ) as employed_public_welfare
    from target_rows
    group by cutoff_date, city_code
),

-- Visits sent by C to C's targets at T, known at T (first_cutoff_date <= T), dated in
-- the window; one visit = (person, date, 走访方式).
visit_figures as (
    select
        cutoffs.cutoff_date,
        visits.city_code,
        count(distinct (visits.person_id, visits.visited_on, visits.visit_method)) as visits
    from {{ ref('int_visits') }} as visits
    inner join cutoffs
        on {{ counts_at_cutoff('visits', 'visited_on') }}
    inner join targets
        on targets.cutoff_date = cutoffs.cutoff_date
        and targets.city_code = visits.city_code
        and targets.person_id = visits.person_id
    group by cutoffs.cutoff_date, visits.city_code
),

-- Referrals: one referral = (person, C, 岗位编号); a repeat is the same referral.
referral_figures as (
    select
        cutoffs.cutoff_date,
        referrals.city_code,
        count(distinct (referrals.person_id, referrals.post_id)) as jobs_pushed
    from {{ ref('int_referrals') }} as referrals
    inner join cutoffs
        on {{ counts_at_cutoff('referrals', 'referred_on') }}
    inner join targets
        on targets.cutoff_date = cutoffs.cutoff_date
        and targets.city_code = referrals.city_code
        and targets.person_id = referrals.person_id
    group by cutoffs.cutoff_date, referrals.city_code
),

-- Postings and events as known at T (int_*_at_cutoff): a later upload never changes an
-- earlier cut-off's figures.
job_post_figures as (
    select
        cutoff_date,
        city_code,
        count(distinct post_id) filter (
            where published_on between window_start and window_end
        ) as job_posts_collected,
        count(distinct post_id) filter (
            where is_discriminatory and removed_on between window_start and window_end
        ) as discriminatory_posts_removed
    from {{ ref('int_job_posts_at_cutoff') }} as job_posts
    inner join cutoffs using (cutoff_date)
    group by cutoff_date, city_code
),

event_figures as (
    select
        cutoff_date,
        events.city_code,
        count(distinct events.event_id) as special_recruitment_events,
        count(distinct events.event_id) filter (where events.is_onsite_job_fair) as onsite_job_fairs
    from {{ ref('int_events_at_cutoff') }} as events
    inner join cutoffs using (cutoff_date)
    where events.is_special
        and events.held_on between cutoffs.window_start and cutoffs.window_end
    group by cutoff_date, events.city_code
),

-- Temporary relief paid to C's targets at T in the window, whichever office paid it;
-- one payment per 流水号 (a payment cannot belong to two targets: person_id is one).
relief_payments as (
    select distinct
        cutoffs.cutoff_date,
        targets.city_code,
        relief.payment_id,
        relief.amount_yuan
    from {{ ref('int_temp_relief') }} as relief
    inner join cutoffs
        on relief.paid_on between cutoffs.window_start and cutoffs.window_end
    inner join targets
        on targets.cutoff_date = cutoffs.cutoff_date
        and targets.person_id = relief.person_id
),

relief_figures as (
    select
        cutoff_date,
        city_code,
        count(distinct payment_id) as temp_relief_payments,
        sum(amount_yuan) as temp_relief_amount_yuan
    from relief_payments
    group by cutoff_date, city_code
),

city_rows as (
    select
        cutoffs.cutoff_date,
        cities.city_code,
        cities.city_name,
        coalesce(target_figures.targets_identified, 0) as targets_identified,
        coalesce(target_figures.long_term_unemployed, 0) as long_term_unemployed,
        coalesce(target_figures.older_workers, 0) as older_workers,
        coalesce(target_figures.disabled, 0) as disabled,
        coalesce(target_figures.dibao_members, 0) as dibao_members,
        coalesce(visit_figures.visits, 0) as visits,
        coalesce(job_post_figures.job_posts_collected, 0) as job_posts_collected,
        coalesce(event_figures.special_recruitment_events, 0) as special_recruitment_events,
        coalesce(event_figures.onsite_job_fairs, 0) as onsite_job_fairs,
        coalesce(referral_figures.jobs_pushed, 0) as jobs_pushed,
        coalesce(target_figures.employed, 0) as employed,
        coalesce(target_figures.employed_by_enterprise, 0) as employed_by_enterprise,
        coalesce(target_figures.employed_flexibly, 0) as employed_flexibly,
        coalesce(target_figures.employed_public_welfare, 0) as employed_public_welfare,
        coalesce(job_post_figures.discriminatory_posts_removed, 0) as discriminatory_posts_removed,
        coalesce(relief_figures.temp_relief_payments, 0) as temp_relief_payments,
        coalesce(relief_figures.temp_relief_amount_yuan, 0) as temp_relief_amount_yuan
    from cutoffs
    cross join cities
    left join target_figures using (cutoff_date, city_code)
    left join visit_figures using (cutoff_date, city_code)
    left join referral_figures using (cutoff_date, city_code)
    left join job_post_figures using (cutoff_date, city_code)
    left join event_figures using (cutoff_date, city_code)
    left join relief_figures using (cutoff_date, city_code)
),

-- Every person belongs to one city (int_targets), so distinct persons of the province
-- equal the sum of the city rows; a singular test holds this against int_targets.
province_rows as (
    select
        cutoff_date,
        {{ term('PROVINCE_CODE') }} as city_code,
        {{ term('PROVINCE_NAME') }} as city_name,
        {% for figure in report_figures -%}
        sum({{ figure }}) as {{ figure }}{{ ',' if not loop.last }}
        {% endfor %}
    from city_rows
    group by cutoff_date
),

{%- set unioned_columns = ['cutoff_date', 'city_code', 'city_name'] + report_figures %}
unioned as (
    select {{ unioned_columns | join(', ') }} from city_rows
    union all
    select {{ unioned_columns | join(', ') }} from province_rows
),

final as (
    select
        cutoff_date,
        city_code,
        city_name,
        {% for figure in report_figures -%}
        {% if figure in report_money_figures() -%}
        round({{ figure }}, 2)::double as {{ figure }}
        {%- else -%}
        {{ figure }}::bigint as {{ figure }}
        {%- endif %}{{ ',' if not loop.last }}
        {% endfor %}
    from unioned
)

select * from final
