-- Every target (cutoff_date, person_id) with what the marts need of its ledger entry and
-- the facts that decide its categories and campaign targets (contract §6, §7): the one
-- model the report and the campaign-target marts read targets from. Dates and
-- thresholds come from stg_campaign / stg_campaign_cutoffs only.
--
-- Long-term unemployed: the unemployment registration is the registry's latest
--   失业登记日期 not after 认定日期 among registrations not cancelled before 认定日期;
--   when the registry has none, the ledger's 失业登记日期. It is long-term when it is at
--   least `long_term_unemployed_days` before 认定日期 (macro is_long_term_registration:
--   whole years are calendar years).
-- Older worker: age on 认定日期 from the ID's birth date (birthday reached counts):
--   women >= older_worker_age_female, men >= older_worker_age_male.
-- Disabled, 低保 member, poverty-alleviated, unemployed graduate: int_registry_facts.
-- UI payment: a payment dated in the window.
-- Employed in the window: 已就业 with 就业日期 in [campaign start, T]; employed before
--   the campaign: 已就业 with 就业日期 before its start (the referral target does not apply).
{{ config(rewrite_parts_by=['cutoff_date', 'city_code'], parts_follow=['int_targets']) }}

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
        targets.categories,
        targets.employment_status,
        targets.employed_on,
        targets.employment_channel,
        targets.has_plan,
        targets.is_carried_forward,
        coalesce(
            targets.employment_status = {{ term('EMPLOYED') }}
            and targets.employed_on between targets.window_start and targets.window_end,
            false
        ) as is_employed_in_window,
        coalesce(
            targets.employment_status = {{ term('EMPLOYED') }} and targets.employed_on < targets.window_start,
            false
        ) as was_employed_before_campaign,
        coalesce(registry_facts.is_disabled, false) as is_disabled,
        coalesce(registry_facts.is_dibao_member, false) as is_dibao_member,
        coalesce(registry_facts.is_poverty_alleviated, false) as is_poverty_alleviated,
        coalesce(registry_facts.is_unemployed_graduate, false) as is_unemployed_graduate,
        exists(
            select 1 from {{ ref('int_ui_benefits') }} as ui_benefits
            where ui_benefits.person_id = targets.person_id
                and ui_benefits.paid_on between targets.window_start and targets.window_end
        ) as has_ui_payment_in_window
    from targets
    left join registry_registration using (cutoff_date, person_id)
    left join {{ ref('int_registry_facts') }} as registry_facts using (cutoff_date, person_id)
),

final as (
    select
        facts.cutoff_date,
        facts.city_code,
        facts.person_id,
        facts.person_key,
        facts.identified_on,
        facts.categories,
        facts.employment_status,
        facts.employed_on,
        facts.employment_channel,
        facts.has_plan,
        facts.is_carried_forward,
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
                when {{ term('FEMALE') }}
                    then {{ add_years('facts.birth_date', 'campaign.older_worker_age_female') }} <= facts.identified_on
                when {{ term('MALE') }}
                    then {{ add_years('facts.birth_date', 'campaign.older_worker_age_male') }} <= facts.identified_on
            end,
            false
        ) as is_older_worker,
        facts.is_disabled,
        facts.is_dibao_member,
        facts.is_poverty_alleviated,
        facts.is_unemployed_graduate,
        facts.has_ui_payment_in_window,
        facts.is_employed_in_window,
        facts.was_employed_before_campaign
    from facts
    cross join campaign
)

select * from final
