-- The supervision view (情况调度, contract §10): the 16 cities ranked on each completion
-- measure at every cut-off. One row per (cutoff_date, measure, city_code); rank 1 is the
-- best (highest value), ties share a rank, a city whose measure has no denominator
-- (no targets, no eligible targets) is not ranked (null) and listed last.
{%- set measure_values = [
    ('referral_coverage_rate', 'targets.referral_coverage_rate'),
    ('event_cadence_rate', 'targets.event_cadence_rate'),
    ('visits_per_target', rate('report.visits', 'report.targets_identified')),
    ('plan_rate', 'targets.plan_rate'),
    ('employment_rate', 'targets.employment_rate'),
    ('relief_coverage_rate', 'targets.relief_coverage_rate'),
] %}
with targets as (
    select * from {{ ref('rpt_city_targets') }}
    where city_code <> {{ term('PROVINCE_CODE') }}
),

report as (
    select cutoff_date, city_code, visits, targets_identified
    from {{ ref('rpt_campaign_stats') }}
    where city_code <> {{ term('PROVINCE_CODE') }}
),

-- One select per measure (a lateral VALUES list is DuckDB's, not Spark's).
measures as (
    {% for name, value in measure_values -%}
    select
        targets.cutoff_date,
        targets.city_code,
        targets.city_name,
        '{{ name }}' as measure,
        ({{ value }})::double as value
    from targets
    inner join report using (cutoff_date, city_code)
    {% if not loop.last %}union all
    {% endif -%}
    {% endfor %}
),

final as (
    select
        cutoff_date,
        measure,
        city_code,
        city_name,
        value,
        case
            when value is not null
                then rank() over (partition by cutoff_date, measure order by value desc nulls last)
        end::bigint as city_rank,
        count(value) over (partition by cutoff_date, measure) as cities_ranked
    from measures
)

select * from final
