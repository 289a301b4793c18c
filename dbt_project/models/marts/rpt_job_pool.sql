-- The job pool (contract §8) per cut-off, city and 岗位类别 (未填写 when empty): postings
-- of C known at T and published in the window (as job_posts_collected) and their
-- 招聘人数. Every city and category at every cut-off (zeros), plus the province 370000.
with cutoffs as (
    select cutoff_date, window_start, window_end from {{ ref('stg_campaign_cutoffs') }}
),

cities as (
    select city_code::string as city_code, city_name from {{ ref('ref_cities') }}
),

categories as (
    select value as post_category from {{ ref('ref_enum_values') }} where enum_name = 'job_pool_category'
),

posts as (
    select
        job_posts.cutoff_date,
        job_posts.city_code,
        coalesce(job_posts.category, {{ term('NOT_FILLED') }}) as post_category,
        job_posts.post_id,
        job_posts.openings
    from {{ ref('int_job_posts_at_cutoff') }} as job_posts
    inner join cutoffs using (cutoff_date)
    where job_posts.published_on between cutoffs.window_start and cutoffs.window_end
),

pool as (
    select
        cutoff_date,
        city_code,
        post_category,
        count(distinct post_id) as postings,
        sum(openings) as openings
    from posts
    group by all
),

city_rows as (
    select
        cutoffs.cutoff_date,
        cities.city_code,
        cities.city_name,
        categories.post_category,
        coalesce(pool.postings, 0) as postings,
        coalesce(pool.openings, 0) as openings
    from cutoffs
    cross join cities
    cross join categories
    left join pool using (cutoff_date, city_code, post_category)
),

report_rows as (
    {{ with_province_sums('city_rows', ['postings', 'openings'], keys=['post_category']) }}
),

final as (
    select
        cutoff_date,
        city_code,
        city_name,
        post_category,
        postings::bigint as postings,
        openings::bigint as openings
    from report_rows
)

select * from final
