-- Visits (走访慰问) per city, de-duplicated by the contract's identity (person, date,
-- 走访方式) within the sending city: cities resend older visits, so the same visit in
-- several cut-off folders is one visit, known since first_cutoff_date. Keeping the city
-- in the grain lets the report count "visits sent by C" to C's targets.
with records as (
    {{ current_submission_records('stg_visits', 'visits', true) }}
),

ranked as (
    select
        *,
        min(cutoff_date) over identity as first_cutoff_date,
        count(*) over identity as copies_received,
        row_number() over (identity order by cutoff_date, received_at, source_row) as copy_rank
    from records
    window identity as (partition by city_code, person_id, visited_on, visit_method)
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
