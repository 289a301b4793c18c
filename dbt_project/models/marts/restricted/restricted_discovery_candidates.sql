-- 发现一人 (contract §7): people the registries show as likely assistance targets who are
-- on no city's ledger at the cut-off. Names people, so it lives in `restricted`; the
-- analyst-safe counts are rpt_discovery_candidates. Who the registries show, and why,
-- is int_discovery_reasons (kept when only a ledger changed); this model takes out
-- whoever is on a ledger at the cut-off.
{{ config(rewrite_parts_by=['cutoff_date', 'city_code']) }}

with reasons as (
    select * from {{ ref('int_discovery_reasons') }}
),

on_ledgers as (
    select distinct cutoff_date, person_id from {{ ref('int_ledger_entries') }}
),

persons as (
    select person_id, person_key, gender, birth_date from {{ ref('int_persons') }}
),

final as (
    select
        reasons.cutoff_date,
        reasons.city_code,
        reasons.person_id,
        persons.person_key,
        reasons.name,
        persons.gender,
        persons.birth_date,
        reasons.reasons,
        {{ list_size('reasons.reasons') }} as reason_count,
        reasons.registered_on,
        reasons.is_registered_unemployed,
        reasons.is_long_term_registered,
        reasons.is_disabled,
        reasons.is_dibao_member,
        reasons.is_poverty_alleviated,
        reasons.is_unemployed_graduate
    from reasons
    left join persons on persons.person_id = reasons.person_id
    where not exists (
            select 1 from on_ledgers
            where on_ledgers.cutoff_date = reasons.cutoff_date
                and on_ledgers.person_id = reasons.person_id
        )
)

select * from final
