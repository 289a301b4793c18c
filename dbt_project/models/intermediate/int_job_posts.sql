-- Job postings (岗位信息) per (city, 岗位编号). A posting is resent at later cut-offs,
-- often with news (清理日期 filled in): the attributes come from the latest cut-off
-- folder that sent it, first_cutoff_date is when the province first knew of it.
-- cutoff_date is the folder the attributes come from.
with records as (
    {{ current_submission_records('stg_job_posts', 'job_posts', false) }}
),

ranked as (
    {{ ranked_copies(
        'records',
        identity=['city_code', 'post_id'],
        order_by='cutoff_date desc, received_at desc, source_row desc',
        first_of=['cutoff_date'],
    ) }}
),

final as (
    select
        city_code,
        post_id,
        employer,
        employer_uscc,
        title,
        category,
        openings,
        requirements,
        salary_min,
        salary_max,
        published_on,
        is_discriminatory,
        removed_on,
        first_cutoff_date,
        cutoff_date,
        copies_received,
        file_path,
        source_row
    from ranked
    where copy_rank = 1
)

select * from final
