-- Recruitment events (招聘活动) per (city, 活动编号); attributes from the latest cut-off
-- folder that sent the event (source_cutoff_date), first_cutoff_date the earliest.
{{ sent_record_latest_copies(
    'stg_events', 'events',
    identity=['city_code', 'event_id'],
    columns=[
        'city_code', 'event_id', 'event_name', 'held_on', 'event_form', 'is_special',
        'employers_count', 'posts_offered', 'participants',
    ],
) }}
