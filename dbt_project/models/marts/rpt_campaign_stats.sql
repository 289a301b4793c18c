-- The report (contract §6): the 17 figures of the statistics table per cut-off and city,
-- cumulative over the window [campaign start, cut-off], plus the province row 370000.
-- Every city gets a row at every cut-off, zeros when it has nothing yet.
-- The figure list is terms.FIGURE_NAMES in order (macro report_figures, generated).
{%- set report_figures = report_figures() %}
with cutoffs as (
    select cutoff_date, window_start, window_end from {{ ref('stg_campaign_cutoffs') }}
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

-- int_target_facts has one row per (cut-off, person), so counting rows counts persons:
-- nine count(distinct) aggregates over 1.4 M rows were a second of every build.
target_figures as (
    select
        cutoff_date,
        city_code,
        count(person_id) as targets_identified,
        count(person_id) filter (where is_long_term_unemployed) as long_term_unemployed,
        count(person_id) filter (where is_older_worker) as older_workers,
        count(person_id) filter (where is_disabled) as disabled,
        count(person_id) filter (where is_dibao_member) as dibao_members,
        count(person_id) filter (where is_employed_in_window) as employed,
        count(person_id) filter (
            where is_employed_in_window and employment_channel = {{ term('CHANNEL_ENTERPRISE') }}
        ) as employed_by_enterprise,
        count(person_id) filter (
            where is_employed_in_window and employment_channel = {{ term('CHANNEL_FLEXIBLE') }}
        ) as employed_flexibly,
        count(person_id) filter (
            where is_employed_in_window and employment_channel = {{ term('CHANNEL_PUBLIC_WELFARE') }}
        ) as employed_public_welfare
    from target_rows
    group by cutoff_date, city_code
),

-- Visits and referrals per target are counted once, in fct_target_progress: one visit =
-- (person, date, 走访方式) sent by C to C's target, known at T and dated in the window; one
-- referral = (person, C, 岗位编号). A target is one person in one city at T, so the city's
-- distinct visits are the sum of its targets' distinct visits.
progress_figures as (
    select
        cutoff_date,
        city_code,
        sum(visits_in_window) as visits,
        sum(referrals_in_window) as jobs_pushed
    from {{ ref('fct_target_progress') }}
    group by cutoff_date, city_code
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
    from {{ ref('int_job_posts_at_cutoff') }}
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

-- Temporary relief paid to C's targets at T in the window, whichever office paid it.
relief_payments as (
    {{ target_relief_payments_at_cutoff() }}
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
    {{ every_city_at_every_cutoff({
        'target_figures': [
            'targets_identified', 'long_term_unemployed', 'older_workers', 'disabled',
            'dibao_members', 'employed', 'employed_by_enterprise', 'employed_flexibly',
            'employed_public_welfare',
        ],
        'progress_figures': ['visits', 'jobs_pushed'],
        'job_post_figures': ['job_posts_collected', 'discriminatory_posts_removed'],
        'event_figures': ['special_recruitment_events', 'onsite_job_fairs'],
        'relief_figures': ['temp_relief_payments', 'temp_relief_amount_yuan'],
    }) }}
),

-- Every person belongs to one city (int_targets), so distinct persons of the province
-- equal the sum of the city rows; a singular test holds this against int_targets.
report_rows as (
    {{ with_province_sums('city_rows', report_figures) }}
),

final as (
    select
        cutoff_date,
        city_code,
        city_name,
        {{ typed_report_figures() }}
    from report_rows
)

select * from final
