-- The province's view of 问题反馈 (contract §9): per cut-off and city, how many findings of
-- each kind its feedback workbook lists, so the province knows whom to chase. Counts only,
-- no person: the items themselves are in restricted.restricted_city_feedback.
with items as (
    select * from {{ ref('restricted_city_feedback') }}
),

reasons as (
    select * from {{ ref('ref_reason_codes') }}
),

cities as (
    select city_code::string as city_code, city_name from {{ ref('ref_cities') }}
),

counted as (
    select cutoff_date, city_code, section, issue_level, reason_code, count(*) as findings
    from items
    group by all
),

final as (
    select
        counted.cutoff_date,
        counted.city_code,
        cities.city_name,
        counted.section,
        counted.issue_level,
        counted.reason_code,
        reasons.title as reason_title,
        counted.findings
    from counted
    left join cities on cities.city_code = counted.city_code
    left join reasons on reasons.code = counted.reason_code
)

select * from final
