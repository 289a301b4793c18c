-- Job postings (岗位信息) per (city, 岗位编号). A posting is resent at later cut-offs,
-- often with news (清理日期 filled in): the attributes come from the latest cut-off
-- folder that sent it (source_cutoff_date), first_cutoff_date is when the province
-- first knew of it.
{{ sent_record_latest_copies(
    'stg_job_posts', 'job_posts',
    identity=['city_code', 'post_id'],
    columns=[
        'city_code', 'post_id', 'employer', 'employer_uscc', 'title', 'category', 'openings',
        'requirements', 'salary_min', 'salary_max', 'published_on', 'is_discriminatory',
        'removed_on',
    ],
) }}
