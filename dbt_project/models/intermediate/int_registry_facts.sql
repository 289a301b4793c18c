-- What the registries say about a person at each cut-off T (window [campaign start, T]):
-- the one place these rules live; int_target_facts (targets) and
-- restricted_discovery_candidates (people on no ledger) both read it.
--   disabled: a disability certificate issued (发证日期) on or before T;
--   低保 member: a 低保 record overlapping the window;
--   poverty-alleviated: in the 脱贫人口 registry;
--   unemployed graduate: in the 离校未就业 registry, graduated by T (or no date) and not
--     marked 已就业 there.
-- name and city_code are the registry's, from the graduates, 低保, disability and 脱贫
-- registries in that order (within one registry the smallest, so the choice is stable).
with cutoffs as (
    select cutoff_date, window_start, window_end from {{ ref('stg_campaign_cutoffs') }}
),

disabled as (
    select cutoffs.cutoff_date, disability.person_id, disability.name, disability.city_code
    from {{ ref('int_disability') }} as disability
    inner join cutoffs on disability.certified_on <= cutoffs.cutoff_date
),

dibao as (
    select cutoffs.cutoff_date, dibao.person_id, dibao.name, dibao.city_code
    from {{ ref('int_dibao') }} as dibao
    inner join cutoffs
        on dibao.started_on <= cutoffs.window_end
        and (dibao.ended_on is null or dibao.ended_on >= cutoffs.window_start)
),

poverty as (
    select cutoffs.cutoff_date, poverty.person_id, poverty.name, poverty.city_code
    from {{ ref('int_poverty_alleviated') }} as poverty
    cross join cutoffs
),

graduates as (
    select cutoffs.cutoff_date, graduates.person_id, graduates.name, graduates.city_code
    from {{ ref('int_graduates') }} as graduates
    inner join cutoffs
        on graduates.graduated_on is null or graduates.graduated_on <= cutoffs.cutoff_date
    where coalesce(graduates.employment_status, {{ term('UNEMPLOYED') }}) <> {{ term('EMPLOYED') }}
),

registry_rows as (
    select 1 as registry_rank, 'graduates' as registry, * from graduates
    union all
    select 2, 'dibao', * from dibao
    union all
    select 3, 'disability', * from disabled
    union all
    select 4, 'poverty_alleviated', * from poverty
),

per_registry as (
    select
        cutoff_date,
        person_id,
        registry_rank,
        registry,
        min(name) as name,
        min(city_code) as city_code
    from registry_rows
    where person_id is not null
    group by all
),

final as (
    select
        cutoff_date,
        person_id,
        bool_or(registry = 'disability') as is_disabled,
        bool_or(registry = 'dibao') as is_dibao_member,
        bool_or(registry = 'poverty_alleviated') as is_poverty_alleviated,
        bool_or(registry = 'graduates') as is_unemployed_graduate,
        min_by(name, registry_rank) as name,
        min_by(city_code, registry_rank) as city_code
    from per_registry
    group by cutoff_date, person_id
)

select * from final
