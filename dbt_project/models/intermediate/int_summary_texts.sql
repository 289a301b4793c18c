-- The cities' 典型案例 and 意见建议 for the final summary (contract §10): rows of the
-- current file of every cut-off folder, a text sent again in a later folder kept once
-- (first folder). Text is exactly as written and is only ever displayed.
with records as (
    select
        '典型案例' as text_kind,
        city_code,
        cutoff_date,
        received_at,
        file_path,
        source_row,
        title,
        content,
        people_involved
    from ({{ current_submission_records('stg_cases', 'cases', false) }})
    union all
    select
        '意见建议' as text_kind,
        city_code,
        cutoff_date,
        received_at,
        file_path,
        source_row,
        null as title,
        content,
        null as people_involved
    from ({{ current_submission_records('stg_suggestions', 'suggestions', false) }})
),

final as (
    select
        city_code,
        text_kind,
        title,
        content,
        people_involved,
        cutoff_date as source_cutoff_date,
        file_path,
        source_row
    from records
    qualify row_number() over (
            partition by city_code, text_kind, title, content
            order by cutoff_date, received_at, source_row
        ) = 1
)

select * from final
