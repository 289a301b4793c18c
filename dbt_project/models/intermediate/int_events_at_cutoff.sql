-- Recruitment events (招聘活动) as known at each cut-off: one row per (cutoff_date,
-- city, 活动编号) sent in a folder <= T, attributes (是否专场, 举办日期, 活动形式) from
-- the latest such folder, so a later correction never changes an earlier cut-off.
with known as (
    {{ records_known_at_cutoff('stg_events', 'events', 'event_id') }}
),

final as (
    select
        cutoff_date,
        city_code,
        event_id,
        event_name,
        held_on,
        event_form,
        coalesce(is_special, false) as is_special,
        coalesce(event_form = {{ term('ONSITE_JOB_FAIR') }}, false) as is_onsite_job_fair,
        first_cutoff_date,
        source_cutoff_date,
        file_path,
        source_row
    from known
)

select * from final
