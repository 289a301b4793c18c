-- 临时救助: targets eligible for temporary relief at the cut-off (fct_target_progress:
-- 未就业, no 失业保险 payment in the window, no 低保 overlapping it) who have not been
-- paid any in the window, with who they are, for the city office that contacts them.
-- Names people, so it lives in `restricted`.
{{ config(rewrite_parts_by=['cutoff_date', 'city_code'], parts_follow=['fct_target_progress']) }}

with progress as (
    select * from {{ ref('fct_target_progress') }}
),

persons as (
    select person_key, person_id, name, phone from {{ ref('dim_person') }}
),

final as (
    select
        progress.cutoff_date,
        progress.city_code,
        progress.person_key,
        persons.person_id as id_number,
        persons.name,
        persons.phone,
        progress.employment_status,
        progress.relief_payments_in_window
    from progress
    inner join persons on persons.person_key = progress.person_key
    where progress.is_relief_eligible and not progress.is_relief_paid
)

select * from final
