-- 发现一人 (contract §7), the registries' half: who the registries show as likely
-- assistance targets at each cut-off, with their reasons, whatever the ledgers say.
-- restricted_discovery_candidates keeps those on no city's ledger. Apart, this half
-- (1.0 of 1.5 s at 20,000 persons per city) is kept when only a ledger changed.
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

final as (
    select * from reasons
    where {{ list_size('reasons') }} > 0
)

select * from final
