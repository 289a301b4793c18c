-- Contract §6: the province row equals the sum of the city rows, and its person counts
-- equal the distinct persons among the targets of the cut-off (each person in one city).
-- Reads several models: attached to rpt_campaign_stats so Dagster runs it as that asset's
-- blocking check (dagster-dbt records an unattached test only as an observation).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_campaign_stats'}}}) }}
with stats as (
    select * from {{ ref('rpt_campaign_stats') }}
),

not_summing as (
    {{ province_rows_not_summing('stats', report_figures(), tolerance=0.005) }}
),

distinct_targets as (
    select cutoff_date, count(distinct person_id) as targets
    from {{ ref('int_targets') }}
    group by cutoff_date
),

not_distinct as (
    select province.cutoff_date
    from stats as province
    left join distinct_targets using (cutoff_date)
    where province.city_code = {{ term('PROVINCE_CODE') }}
        and province.targets_identified <> coalesce(distinct_targets.targets, 0)
)

select cutoff_date, 'province row differs' as problem
from (
    select cutoff_date from not_summing
    union
    select cutoff_date from not_distinct
)
