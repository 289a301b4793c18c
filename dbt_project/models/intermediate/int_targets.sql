-- Targets (contract §6): one row per (cutoff_date, person_id), in the city the person
-- belongs to at that cut-off, with 认定日期 not after the cut-off. Ownership is decided
-- on the whole ledger first, then the date filter: a person whose owning city lists
-- them as identified after T is nobody's target at T.
{{ config(rewrite_parts_by=['cutoff_date', 'city_code'], parts_follow=['int_ledger_entries']) }}

with entries as (
    select * from {{ ref('int_ledger_entries') }}
    where is_owner
),

persons as (
    select * from {{ ref('int_persons') }}
),

final as (
    select
        entries.cutoff_date,
        entries.city_code,
        entries.person_id,
        persons.person_key,
        entries.identified_on,
        entries.categories,
        entries.unemployment_registered_on,
        entries.graduated_on,
        entries.employment_status,
        entries.employed_on,
        entries.employment_channel,
        entries.employer,
        entries.job_wish,
        entries.service_needs,
        entries.has_plan,
        entries.is_carried_forward,
        entries.source_cutoff_date,
        entries.ledger_received_at,
        entries.claiming_city_count,
        persons.birth_date,
        persons.gender
    from entries
    inner join persons on persons.person_id = entries.person_id
    where entries.identified_on <= entries.cutoff_date
)

select * from final
