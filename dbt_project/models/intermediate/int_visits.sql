-- Visits (走访慰问) per city, de-duplicated by the contract's identity (person, date,
-- 走访方式) within the sending city: cities resend older visits, so the same visit in
-- several cut-off folders is one visit, known since first_cutoff_date. Keeping the city
-- in the grain lets the report count "visits sent by C" to C's targets.
{{ sent_record_latest_copies(
    'stg_visits', 'visits',
    identity=['city_code', 'person_id', 'visited_on', 'visit_method'],
    order_by='cutoff_date, received_at, source_row',
    has_person=true,
    columns=['city_code', 'person_id', 'visited_on', 'visit_method', 'visitor'],
) }}
