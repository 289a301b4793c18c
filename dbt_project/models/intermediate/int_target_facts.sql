-- Registry-confirmed facts per target (cutoff_date, person_id), contract §6. Dates and
-- thresholds come from stg_campaign / stg_campaign_cutoffs only.
--
-- Long-term unemployed: the unemployment registration is the registry's latest
--   失业登记日期 not after 认定日期 among registrations not cancelled before 认定日期;
--   when the registry has none, the ledger's 失业登记日期. It is long-term when it is at
--   least `long_term_unemployed_days` before 认定日期 (macro is_long_term_registration:
--   whole years are calendar years).
-- Older worker: age on 认定日期 from the ID's birth date (birthday reached counts):
--   women >= older_worker_age_female, men >= older_worker_age_male.
-- Disabled: a disability certificate issued (发证日期) on or before the cut-off.
-- 低保 member: a 低保 record overlapping the window [campaign start, T].
-- Poverty-alleviated: in the 脱贫人口 registry. Unemployed graduate: in the 离校未就业
--   registry and not marked 已就业 there. UI payment: a payment dated in the window.
with campaign as (
    select * from {{ ref('stg_campaign') }}
),

cutoffs as (
    select * from {{ ref('stg_campaign_cutoffs') }}
),

targets as (
    select
        targets.*,
        cutoffs.window_start,
        cutoffs.window_end
    from {{ ref('int_targets') }} as targets
    inner join cutoffs on cutoffs.cutoff_date = targets.cutoff_date
),

registrations as (
    select * from {{ ref('int_unemployment_registration') }}
),

registry_registration as (
    select
        targets.cutoff_date,
        targets.person_id,
        max(registrations.registered_on) as registered_on
    from targets
    inner join registrations
        on registrations.person_id = targets.person_id
        and registrations.registered_on <= targets.identified_on
        and (registrations.cancelled_on is null or registrations.cancelled_on >= targets.identified_on)
    group by targets.cutoff_date, targets.person_id
),

disability as (
    select targets.cutoff_date, targets.person_id
    from targets
    inner join {{ ref('int_disability') }} as disability
        on disability.person_id = targets.person_id
        and disability.certified_on <= targets.cutoff_date
    group by all
),

dibao as (
    select targets.cutoff_date, targets.person_id
    from targets
    inner join {{ ref('int_dibao') }} as dibao
        on dibao.person_id = targets.person_id
        and dibao.started_on <= targets.window_end
        and (dibao.ended_on is null or dibao.ended_on >= targets.window_start)
    group by all
),

ui_payments as (
    select targets.cutoff_date, targets.person_id
    from targets
    inner join {{ ref('int_ui_benefits') }} as ui_benefits
        on ui_benefits.person_id = targets.person_id
        and ui_benefits.paid_on between targets.window_start and targets.window_end
    group by all
),

poverty as (
    select distinct person_id from {{ ref('int_poverty_alleviated') }}
),

graduates as (
    select distinct person_id
    from {{ ref('int_graduates') }}
    where coalesce(employment_status, {{ term('UNEMPLOYED') }}) <> {{ term('EMPLOYED') }}
),

facts as (
    select
        targets.cutoff_date,
        targets.city_code,
        targets.person_id,
        targets.person_key,
        targets.identified_on,
        registry_registration.registered_on as registry_registered_on,
        coalesce(registry_registration.registered_on, targets.unemployment_registered_on)
            as unemployment_registered_on,
        case
            when registry_registration.registered_on is not null then 'registry'
            when targets.unemployment_registered_on is not null then 'ledger'
        end as unemployment_registration_source,
        targets.birth_date,
        targets.gender,
        disability.person_id is not null as is_disabled,
        dibao.person_id is not null as is_dibao_member,
        poverty.person_id is not null as is_poverty_alleviated,
        graduates.person_id is not null as is_unemployed_graduate,
        ui_payments.person_id is not null as has_ui_payment_in_window
    from targets
    left join registry_registration
        on registry_registration.cutoff_date = targets.cutoff_date
        and registry_registration.person_id = targets.person_id
    left join disability
        on disability.cutoff_date = targets.cutoff_date and disability.person_id = targets.person_id
    left join dibao
        on dibao.cutoff_date = targets.cutoff_date and dibao.person_id = targets.person_id
    left join ui_payments
        on ui_payments.cutoff_date = targets.cutoff_date and ui_payments.person_id = targets.person_id
    left join poverty on poverty.person_id = targets.person_id
    left join graduates on graduates.person_id = targets.person_id
),

final as (
    select
        facts.cutoff_date,
        facts.city_code,
        facts.person_id,
        facts.person_key,
        facts.identified_on,
        facts.unemployment_registered_on,
        facts.unemployment_registration_source,
        coalesce(
            {{ is_long_term_registration(
                'facts.unemployment_registered_on', 'facts.identified_on',
                'campaign.long_term_unemployed_days'
            ) }},
            false
        ) as is_long_term_unemployed,
        coalesce(
            case facts.gender
                when '女' then facts.birth_date + to_years(campaign.older_worker_age_female) <= facts.identified_on
                when '男' then facts.birth_date + to_years(campaign.older_worker_age_male) <= facts.identified_on
            end,
            false
        ) as is_older_worker,
        facts.is_disabled,
        facts.is_dibao_member,
        facts.is_poverty_alleviated,
        facts.is_unemployed_graduate,
        facts.has_ui_payment_in_window
    from facts
    cross join campaign
)

select * from final
