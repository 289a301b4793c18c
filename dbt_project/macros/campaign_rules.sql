{# Rules of the campaign configuration shared by several models. #}

{# True when an unemployment registration dated `registered_on` is long-term at
   `as_of`: at least `threshold_days` (stg_campaign.long_term_unemployed_days) before
   it. "1 year" is a calendar year, not 365 days (registered 2019-08-01 is one year
   before 2020-08-01 although 366 days passed), so a threshold that is a whole number
   of 365-day years is applied as that many calendar years; any other in days. #}
{% macro is_long_term_registration(registered_on, as_of, threshold_days) -%}
    case
        when {{ threshold_days }} % 365 = 0 then
            {{ registered_on }} <= {{ add_years(as_of, '-cast(' ~ threshold_days ~ ' / 365 as integer)') }}
        else
            {{ registered_on }} <= {{ add_days(as_of, '-' ~ threshold_days) }}
    end
{%- endmacro %}

{# A record that cities send in cut-off folders (visits, referrals, events) counts at
   cut-off T, a row of `cutoffs` (stg_campaign_cutoffs), when the province knew it at T
   (first sent in a folder on or before T) and it is dated in T's window
   [campaign start, T]. Re-running an old cut-off therefore reproduces its figures. #}
{% macro counts_at_cutoff(record, date_column, cutoffs='cutoffs') -%}
    {{ record }}.first_cutoff_date <= {{ cutoffs }}.cutoff_date
    and {{ record }}.{{ date_column }} between {{ cutoffs }}.window_start and {{ cutoffs }}.window_end
{%- endmacro %}

{# The records of `records_model` (int_visits, int_referrals) that a city sent about its
   own targets and that count at cut-off T (counts_at_cutoff on `date_column`): one row
   per target at T (int_target_facts) and record. Both the report (rpt_campaign_stats)
   and the per-person progress (fct_target_progress) count from these rows. #}
{% macro own_target_records_at_cutoff(records_model, date_column) -%}
    select
        targets.cutoff_date,
        targets.city_code,
        targets.person_id,
        records.{{ star_except(['city_code', 'person_id']) }}
    from {{ ref('int_target_facts') }} as targets
    inner join {{ ref('stg_campaign_cutoffs') }} as cutoffs using (cutoff_date)
    inner join {{ ref(records_model) }} as records
        on records.city_code = targets.city_code
        and records.person_id = targets.person_id
        and {{ counts_at_cutoff('records', date_column) }}
{%- endmacro %}

{# Temporary relief paid to the targets of each cut-off T in T's window, whichever office
   paid it: one row per (cut-off, target, 流水号); a payment belongs to one person. #}
{% macro target_relief_payments_at_cutoff() -%}
    select distinct
        targets.cutoff_date,
        targets.city_code,
        targets.person_id,
        relief.payment_id,
        relief.amount_yuan
    from {{ ref('int_target_facts') }} as targets
    inner join {{ ref('stg_campaign_cutoffs') }} as cutoffs using (cutoff_date)
    inner join {{ ref('int_temp_relief') }} as relief
        on relief.person_id = targets.person_id
        and relief.paid_on between cutoffs.window_start and cutoffs.window_end
{%- endmacro %}
