-- Contract §6: each of the 16 cities and the province has a row for every cut-off.
-- Reads several models: attached to rpt_campaign_stats so Dagster runs it as that asset's
-- blocking check (dagster-dbt records an unattached test only as an observation).
{{ config(meta={'dagster': {'ref': {'name': 'rpt_campaign_stats'}}}) }}
with units as (
    select city_code from {{ ref('ref_cities') }}
    union all
    select {{ term('PROVINCE_CODE') }}
),

expected as (
    select cutoffs.cutoff_date, units.city_code
    from {{ ref('stg_campaign_cutoffs') }} as cutoffs
    cross join units
)

select expected.cutoff_date, expected.city_code, 'missing row' as problem
from expected
left join {{ ref('rpt_campaign_stats') }} as stats
    on stats.cutoff_date = expected.cutoff_date and stats.city_code = expected.city_code
where stats.city_code is null
