-- Beyond the table (contract §8): the rest of the policy per cut-off and city, plus the
-- province row 370000. Targets, windows and "known at T" as in rpt_campaign_stats.
-- The province row is the sum of the city rows, except the median (recomputed over
-- every city's employed targets). Definitions: rpt_campaign_supplement.yml.
with cutoffs as (
    select cutoff_date, window_start, window_end from {{ ref('stg_campaign_cutoffs') }}
),

targets as (
    select targets.*, cutoffs.window_start, cutoffs.window_end
    from {{ ref('int_targets') }} as targets
    inner join cutoffs using (cutoff_date)
),

target_facts as (
    select * from {{ ref('int_target_facts') }}
),

-- Bases on C's current list for T recognised by T (认定日期 <= T).
recognised_bases as (
    select * from {{ ref('int_bases') }}
    where recognised_on <= cutoff_date
),

base_figures as (
    select
        cutoff_date,
        city_code,
        count(distinct base_id) filter (
            where base_type = {{ term('BASE_EMPLOYMENT_ASSISTANCE') }}
        ) as bases_employment_assistance,
        count(distinct base_id) filter (where base_type = {{ term('BASE_TRAINING') }}) as bases_training,
        count(distinct base_id) filter (where base_type = {{ term('BASE_INTERNSHIP') }}) as bases_internship
    from recognised_bases
    group by cutoff_date, city_code
),

-- The targets counted in `employed` (rpt_campaign_stats), with their facts.
employed_targets as (
    select
        targets.cutoff_date,
        targets.city_code,
        targets.person_id,
        {{ normalize_name('targets.employer') }} as employer_norm,
        {{ dbt.datediff("target_facts.unemployment_registered_on", "targets.employed_on", "day") }}
            as days_to_employment
    from targets
    left join target_facts using (cutoff_date, person_id)
    where targets.employment_status = {{ term('EMPLOYED') }}
        and targets.employed_on between targets.window_start and targets.window_end
),

employed_at_base_figures as (
    select
        employed_targets.cutoff_date,
        employed_targets.city_code,
        count(distinct employed_targets.person_id) as employed_at_bases
    from employed_targets
    inner join recognised_bases using (cutoff_date, city_code)
    where employed_targets.employer_norm in (recognised_bases.operator_norm, recognised_bases.base_name_norm)
    group by all
),

-- Per city, and (rollup) for the province over every city's employed targets: not a sum.
median_figures as (
    select
        cutoff_date,
        coalesce(city_code, {{ term('PROVINCE_CODE') }}) as city_code,
        median(days_to_employment) as median_days_to_employment
    from employed_targets
    group by cutoff_date, rollup(city_code)
),

active_pairings as (
    select * from {{ ref('int_pairings') }}
    where is_active
),

paired_figures as (
    select
        targets.cutoff_date,
        targets.city_code,
        count(distinct targets.person_id) as targets_paired
    from targets
    inner join active_pairings using (cutoff_date, city_code, person_id)
    where active_pairings.is_cadre_pairing
    group by all
),

enterprise_pair_figures as (
    select
        cutoff_date,
        city_code,
        count(distinct pairing_id) as enterprise_community_pairs
    from active_pairings
    where is_enterprise_pairing
    group by all
),

graduate_figures as (
    select
        targets.cutoff_date,
        targets.city_code,
        count(distinct targets.person_id) as graduate_targets
    from targets
    inner join target_facts using (cutoff_date, person_id)
    where target_facts.is_unemployed_graduate
        and {{ lists_overlap(
            'targets.categories',
            "(select " ~ list_agg('value') ~ " from " ~ ref('ref_enum_values') ~ " where enum_name = 'graduate_category')"
        ) }}
    group by all
),

-- 已就业 on any city's ledger for an earlier cut-off, 未就业 on C's ledger for T.
ever_employed_before as (
    select distinct later.cutoff_date, earlier.person_id
    from cutoffs as later
    inner join {{ ref('int_ledger_entries') }} as earlier
        on earlier.cutoff_date < later.cutoff_date
        and earlier.employment_status = {{ term('EMPLOYED') }}
),

fell_back_figures as (
    select
        targets.cutoff_date,
        targets.city_code,
        count(distinct targets.person_id) as fell_back_to_unemployed
    from targets
    inner join ever_employed_before using (cutoff_date, person_id)
    where targets.employment_status = {{ term('UNEMPLOYED') }}
    group by all
),

-- Credit codes present and failing GB 32100 (postings known at T, bases and enterprise
-- pairings on the current lists for T): rpt_credit_code_findings lists them row by row.
invalid_code_figures as (
    select
        cutoff_date,
        city_code,
        count(distinct (table_type, row_key)) as invalid_credit_codes  -- noqa: LT01,LT06
    from {{ ref('rpt_credit_code_findings') }}
    group by all
),

city_rows as (
    {{ every_city_at_every_cutoff({
        'base_figures': ['bases_employment_assistance', 'bases_training', 'bases_internship'],
        'employed_at_base_figures': ['employed_at_bases'],
        'paired_figures': ['targets_paired'],
        'enterprise_pair_figures': ['enterprise_community_pairs'],
        'graduate_figures': ['graduate_targets'],
        'fell_back_figures': ['fell_back_to_unemployed'],
        'invalid_code_figures': ['invalid_credit_codes'],
    }) }}
),

report_rows as (
    {{ with_province_sums('city_rows', supplement_summed_figures()) }}
),

final as (
    select
        report_rows.cutoff_date,
        report_rows.city_code,
        report_rows.city_name,
        {{ bigint_counts([
            'bases_employment_assistance', 'bases_training', 'bases_internship', 'employed_at_bases',
            'targets_paired', 'enterprise_community_pairs', 'graduate_targets',
        ]) }},
        median_figures.median_days_to_employment::double as median_days_to_employment,
        {{ bigint_counts(['fell_back_to_unemployed', 'invalid_credit_codes']) }}
    from report_rows
    left join median_figures using (cutoff_date, city_code)
)

select * from final
