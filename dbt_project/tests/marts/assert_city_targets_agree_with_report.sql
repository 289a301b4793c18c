-- The campaign-target marts and the report count the same things the same way:
-- targets, referrals (= jobs_pushed), employed, and relief payments / amounts per city.
-- Reads several models: attached to rpt_city_targets so Dagster runs it as that asset's
-- blocking check (dagster-dbt records an unattached test only as an observation).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_city_targets'}}}) }}
with report as (
    select * from {{ ref('rpt_campaign_stats') }} where city_code <> {{ term('PROVINCE_CODE') }}
),

city_targets as (
    select * from {{ ref('rpt_city_targets') }}
),

progress as (
    select
        cutoff_date,
        city_code,
        sum(visits_in_window) as visits,
        sum(relief_payments_in_window) as relief_payments,
        sum(relief_amount_yuan) as relief_amount_yuan
    from {{ ref('fct_target_progress') }}
    group by cutoff_date, city_code
)

select report.cutoff_date, report.city_code
from report
inner join city_targets using (cutoff_date, city_code)
left join progress using (cutoff_date, city_code)
where city_targets.targets <> report.targets_identified
    or city_targets.referrals <> report.jobs_pushed
    or city_targets.targets_employed <> report.employed
    or coalesce(progress.visits, 0) <> report.visits
    or coalesce(progress.relief_payments, 0) <> report.temp_relief_payments
    or abs(coalesce(progress.relief_amount_yuan, 0) - report.temp_relief_amount_yuan) > 0.01
