-- Job postings (岗位信息) as known at each cut-off: one row per (cutoff_date, city,
-- 岗位编号) for every posting sent in a folder <= T, its attributes (清理日期,
-- 是否歧视性信息 …) from the latest such folder. A later upload never changes an
-- earlier cut-off (docs/decisions.md); int_job_posts keeps the latest copy overall.
with known as (
    {{ records_known_at_cutoff('stg_job_posts', 'job_posts', 'post_id') }}
),

final as (
    select
        cutoff_date,
        city_code,
        post_id,
        employer,
        employer_uscc,
        is_employer_uscc_invalid,
        title,
        category,
        openings,
        published_on,
        coalesce(is_discriminatory, false) as is_discriminatory,
        removed_on,
        first_cutoff_date,
        source_cutoff_date,
        file_path,
        source_row
    from known
)

select * from final
