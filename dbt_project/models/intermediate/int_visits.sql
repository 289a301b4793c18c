-- Visits (走访慰问) per city, de-duplicated by the contract's identity (person, date,
-- 走访方式) within the sending city: cities resend older visits, so the same visit in
-- several cut-off folders is one visit, known since first_cutoff_date. Keeping the city
-- in the grain lets the report count "visits sent by C" to C's targets.
with records as (
    {{ current_submission_records('stg_visits', 'visits', true) }}
),

ranked as (
    {{ ranked_copies(
        'records',
        identity=['city_code', 'person_id', 'visited_on', 'visit_method'],
        order_by='cutoff_date, received_at, source_row',
        first_of=['cutoff_date'],
    ) }}
),

final as (
    select
        city_code,
        person_id,
        visited_on,
        visit_method,
        visitor,
        first_cutoff_date,
        copies_received,
        file_path,
        source_row,
        cutoff_date as source_cutoff_date
    from ranked
    where copy_rank = 1
)

select * from final
