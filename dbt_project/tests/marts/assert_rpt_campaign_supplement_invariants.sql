-- Contract §8 parts never exceed their wholes in rpt_campaign_stats, nothing is negative,
-- and the province row is the sum of the city rows (the median excepted).
{%- set summed = supplement_summed_figures() %}
with supplement as (
    select * from {{ ref('rpt_campaign_supplement') }}
),

report as (
    select * from {{ ref('rpt_campaign_stats') }}
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
    select cutoff_date, city_code, 'province is not the sum of the cities' as problem
    from ({{ province_rows_not_summing('supplement', summed) }})
)

select * from bad_parts
union all
select * from bad_province
