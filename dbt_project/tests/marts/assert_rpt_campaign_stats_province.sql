-- Contract §6: the province row equals the sum of the city rows, and its person counts
-- equal the distinct persons among the targets of the cut-off (each person in one city).
-- Reads several models: attached to rpt_campaign_stats so Dagster runs it as that asset's
-- blocking check (dagster-dbt records an unattached test only as an observation).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_campaign_stats'}}}) }}
{%- set figures = report_figures() %}
with stats as (
    select * from {{ ref('rpt_campaign_stats') }}
),

city_sums as (
    select
        cutoff_date,
        {% for f in figures -%}
        sum({{ f }}) as {{ f }}{{ ',' if not loop.last }}
        {% endfor %}
    from stats
    where city_code <> {{ term('PROVINCE_CODE') }}
    group by cutoff_date
),

distinct_targets as (
    select cutoff_date, count(distinct person_id) as targets
    from {{ ref('int_targets') }}
    group by cutoff_date
)

select province.cutoff_date, 'province row differs' as problem
from stats as province
inner join city_sums using (cutoff_date)
left join distinct_targets using (cutoff_date)
where province.city_code = {{ term('PROVINCE_CODE') }}
    and (
        {% for f in figures -%}
        abs(province.{{ f }} - city_sums.{{ f }}) > 0.005
        {%- if not loop.last %} or {% endif %}
        {% endfor %}
        or province.targets_identified <> coalesce(distinct_targets.targets, 0)
    )
