-- Recruitment events (招聘活动) per (city, 活动编号); attributes from the latest cut-off
-- folder that sent the event, first_cutoff_date the earliest.
with records as (
    {{ current_submission_records('stg_events', 'events', false) }}
),

ranked as (
    {{ ranked_copies(
        'records',
        identity=['city_code', 'event_id'],
        order_by='cutoff_date desc, received_at desc, source_row desc',
        first_of=['cutoff_date'],
    ) }}
),

final as (
    select
        city_code,
        event_id,
        event_name,
        held_on,
        event_form,
        is_special,
        employers_count,
        posts_offered,
        participants,
        first_cutoff_date,
        cutoff_date,
        copies_received,
        file_path,
        source_row
    from ranked
    where copy_rank = 1
)

select * from final
