-- 发现一人 (contract §7): people the registries show as likely assistance targets who are
-- on no city's ledger at the cut-off. Names people, so it lives in `restricted`; the
-- analyst-safe counts are rpt_discovery_candidates.
--
-- At cut-off T (window [campaign start, T]) a person is
--   registered unemployed: a registration with 失业登记日期 <= T not cancelled by T;
--   long-term: that (latest) registration at least long_term_unemployed_days before T,
--     (macro is_long_term_registration, as int_target_facts);
--   disabled, 低保, 脱贫, unemployed graduate: int_registry_facts.
-- Reasons: long-term registered unemployed; registered unemployed and disabled / 低保 /
-- 脱贫; an unemployed graduate from a 低保 / 脱贫 family (the graduate is on that registry:
-- the graduates registry carries no 家庭编号 to link other members).
-- City and name: those of the latest registration, else int_registry_facts'.
{{ config(rewrite_parts_by=['cutoff_date', 'city_code']) }}

with campaign as (
    select * from {{ ref('stg_campaign') }}
),

cutoffs as (
    select cutoff_date, window_start, window_end from {{ ref('stg_campaign_cutoffs') }}
),

registrations as (
    select
        cutoffs.cutoff_date,
        registrations.person_id,
        registrations.name,
        registrations.city_code,
        registrations.registered_on,
        row_number() over (
            partition by cutoffs.cutoff_date, registrations.person_id
            order by registrations.registered_on desc, registrations.city_code asc
        ) as recency_rank
    from {{ ref('int_unemployment_registration') }} as registrations
    inner join cutoffs
        on registrations.registered_on <= cutoffs.cutoff_date
        and (registrations.cancelled_on is null or registrations.cancelled_on > cutoffs.cutoff_date)
    where registrations.person_id is not null
),

registered as (
    select
        registrations.cutoff_date,
        registrations.person_id,
        registrations.name,
        registrations.city_code,
        registrations.registered_on,
        {{ is_long_term_registration(
            'registrations.registered_on', 'registrations.cutoff_date',
            'campaign.long_term_unemployed_days'
        ) }} as is_long_term
    from registrations
    cross join campaign
    where registrations.recency_rank = 1
),

registry_facts as (
    select * from {{ ref('int_registry_facts') }}
),

people as (
    select cutoff_date, person_id from registered
    union
    select cutoff_date, person_id from registry_facts where is_unemployed_graduate
),

flags as (
    select
        people.cutoff_date,
        people.person_id,
        coalesce(registered.city_code, registry_facts.city_code) as city_code,
        coalesce(registered.name, registry_facts.name) as name,
        registered.registered_on,
        registered.person_id is not null as is_registered_unemployed,
        coalesce(registered.is_long_term, false) as is_long_term_registered,
        coalesce(registry_facts.is_disabled, false) as is_disabled,
        coalesce(registry_facts.is_dibao_member, false) as is_dibao_member,
        coalesce(registry_facts.is_poverty_alleviated, false) as is_poverty_alleviated,
        coalesce(registry_facts.is_unemployed_graduate, false) as is_unemployed_graduate
    from people
    left join registered using (cutoff_date, person_id)
    left join registry_facts using (cutoff_date, person_id)
),

reasons as (
    select
        *,
        {{ non_null_list([
            "case when is_long_term_registered then 'long_term_registered_unemployed' end",
            "case when is_registered_unemployed and is_disabled then 'registered_unemployed_disabled' end",
            "case when is_registered_unemployed and is_dibao_member then 'registered_unemployed_dibao' end",
            "case when is_registered_unemployed and is_poverty_alleviated then 'registered_unemployed_poverty_alleviated' end",
            "case when is_unemployed_graduate and is_dibao_member then 'unemployed_graduate_dibao_family' end",
            "case when is_unemployed_graduate and is_poverty_alleviated then 'unemployed_graduate_poverty_family' end"
        ]) }} as reasons
    from flags
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
    where {{ list_size('reasons.reasons') }} > 0
        and not exists (
            select 1 from on_ledgers
            where on_ledgers.cutoff_date = reasons.cutoff_date
                and on_ledgers.person_id = reasons.person_id
        )
)

select * from final
