-- 发现一人, analyst-safe: the number of candidates per cut-off, city and reason (no names,
-- no keys). Every city × reason at every cut-off, zeros included; reason `any` counts
-- each candidate once.
with candidates as (
    select * from {{ ref('restricted_discovery_candidates') }}
),

cutoffs as (
    select cutoff_date from {{ ref('stg_campaign_cutoffs') }}
),

cities as (
    select city_code, city_name from {{ ref('ref_cities') }}
),

reason_list as (
    select * from (
        values
        (0, 'any', '合计(去重)'),
        (1, 'long_term_registered_unemployed', '登记失业满1年'),
        (2, 'registered_unemployed_disabled', '登记失业且持证残疾'),
        (3, 'registered_unemployed_dibao', '登记失业且享受低保'),
        (4, 'registered_unemployed_poverty_alleviated', '登记失业且为脱贫人口'),
        (5, 'unemployed_graduate_dibao_family', '低保家庭未就业高校毕业生'),
        (6, 'unemployed_graduate_poverty_family', '脱贫家庭未就业高校毕业生')
    ) as reasons (reason_seq, reason, reason_zh)  -- noqa: AL05
),

counted as (
    select cutoff_date, city_code, reason, count(*) as candidates
    from (
        select cutoff_date, city_code, {{ unnest_list('reasons') }} as reason from candidates
        union all
        select cutoff_date, city_code, 'any' as reason from candidates
    )
    group by all
),

final as (
    select
        cutoffs.cutoff_date,
        cities.city_code,
        cities.city_name,
        reason_list.reason,
        reason_list.reason_zh,
        coalesce(counted.candidates, 0) as candidates
    from cutoffs
    cross join cities
    cross join reason_list
    left join counted using (cutoff_date, city_code, reason)
)

select * from final
