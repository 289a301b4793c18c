-- Contract §8 parts never exceed their wholes in rpt_campaign_stats, nothing is negative,
-- and the province row is the sum of the city rows (the median excepted).
{%- set summed = [
    'bases_employment_assistance', 'bases_training', 'bases_internship', 'employed_at_bases',
    'targets_paired', 'enterprise_community_pairs', 'graduate_targets',
    'fell_back_to_unemployed', 'invalid_credit_codes',
] %}
with supplement as (
    select * from {{ ref('rpt_campaign_supplement') }}
),

report as (
    select * from {{ ref('rpt_campaign_stats') }}
),

city_sums as (
    select
        cutoff_date,
        {% for figure in summed -%}
        sum({{ figure }}) as {{ figure }}{{ ',' if not loop.last }}
        {% endfor %}
    from supplement
    where city_code <> {{ term('PROVINCE_CODE') }}
    group by cutoff_date
),

bad_parts as (
    select supplement.cutoff_date, supplement.city_code, 'part exceeds whole or negative' as problem
    from supplement
    inner join report using (cutoff_date, city_code)
    where supplement.employed_at_bases > report.employed
        or supplement.targets_paired > report.targets_identified
        or supplement.graduate_targets > report.targets_identified
        or supplement.fell_back_to_unemployed > report.targets_identified
        or least({{ summed | join(', ') }}) < 0
),

bad_province as (
    select province.cutoff_date, province.city_code, 'province is not the sum of the cities' as problem
    from supplement as province
    inner join city_sums using (cutoff_date)
    where province.city_code = {{ term('PROVINCE_CODE') }}
        and (
            {% for figure in summed -%}
            province.{{ figure }} <> city_sums.{{ figure }}{{ ' or' if not loop.last }}
            {% endfor %}
        )
)

select * from bad_parts
union all
select * from bad_province
