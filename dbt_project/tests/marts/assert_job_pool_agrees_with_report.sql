-- The job pool summed over categories is the report's 收集岗位信息数, city and province.
with pool as (
    select cutoff_date, city_code, sum(postings) as postings
    from {{ ref('rpt_job_pool') }}
    group by cutoff_date, city_code
)

select report.cutoff_date, report.city_code, report.job_posts_collected, pool.postings
from {{ ref('rpt_campaign_stats') }} as report
left join pool using (cutoff_date, city_code)
where coalesce(pool.postings, -1) <> report.job_posts_collected
