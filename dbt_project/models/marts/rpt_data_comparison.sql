-- 数据比对 (contract §7), one long table: per cut-off and city, a row per finding.
--   check_type                  subject      computed_value / reported_value
--   category_unsupported        person_key   registry says 0 / ledger claims 1
--   multi_city_claim            person_key   1 when this city owns the person, else 0 / 1
--   figure_difference           figure name  warehouse figure / the city's 统计表 value
--   discrimination_unmarked     post_id      rules flag 1 / city marked 0
-- diff = reported - computed; rel_diff = diff / computed (null when computed is 0).
-- figure_difference rows exist for every figure of every current 统计表, equal or not
-- (is_match says which), so an analyst sees the whole table side by side.
-- A correction rewrites only the (cut-off, city) parts whose rows changed (macros/build_memo.sql).
{{ config(rewrite_parts_by=['cutoff_date', 'city_code']) }}
with cutoffs as (
    select cutoff_date from {{ ref('stg_campaign_cutoffs') }}
),

targets as (
    select * from {{ ref('int_target_facts') }}
),

persons as (
    select person_id, person_key from {{ ref('int_persons') }}
),

-- Each ledger category beside the registry fact that should support it.
category_claims as (
    select
        targets.cutoff_date,
        targets.city_code,
        targets.person_key,
        {{ unnest_list('targets.categories') }} as category,
        targets.is_long_term_unemployed,
        targets.unemployment_registration_source,
        targets.is_older_worker,
        targets.is_disabled,
        targets.is_dibao_member,
        targets.is_poverty_alleviated
    from targets
),

category_evidence as (
    select * from {{ ref('ref_category_evidence') }}
),

category_unsupported as (
    select
        claims.cutoff_date,
        claims.city_code,
        'category_unsupported' as check_type,
        claims.person_key as subject,
        claims.category || ': ' || evidence.detail
        || case
            when evidence.evidence = 'long_term_unemployed'
                then ' (source: ' || coalesce(claims.unemployment_registration_source, 'none') || ')'
            else ''
        end as detail,
        0.0 as computed_value,
        1.0 as reported_value
    from category_claims as claims
    inner join category_evidence as evidence on claims.category = evidence.category
    where
        not coalesce(
            case evidence.evidence
                when 'long_term_unemployed' then claims.is_long_term_unemployed
                when 'older_worker' then claims.is_older_worker
                when 'disabled' then claims.is_disabled
                when 'dibao_member' then claims.is_dibao_member
                when 'poverty_alleviated' then claims.is_poverty_alleviated
            end,
            false
        )
),

conflicts as (
    select * from {{ ref('int_ledger_conflicts') }}
    where claiming_city_count > 1
),

claimants as (
    select cutoff_date, person_id, {{ ordered_string_agg('city_code', "','", 'city_code') }} as claiming_cities
    from conflicts
    group by cutoff_date, person_id
),

multi_city_claims as (
    select
        conflicts.cutoff_date,
        conflicts.city_code,
        'multi_city_claim' as check_type,
        persons.person_key as subject,
        '台账城市: ' || claimants.claiming_cities || '; 归属: ' || conflicts.winning_city_code
            as detail,
        case when conflicts.is_winner then 1.0 else 0.0 end as computed_value,
        1.0 as reported_value
    from conflicts
    inner join claimants using (cutoff_date, person_id)
    inner join persons on persons.person_id = conflicts.person_id
),

-- The city's own 统计表: the current file for (city, cut-off), its first data row.
stats_files as (
    select file_sha256, file_path, city_code, cutoff_date
    from {{ ref('int_submissions') }}
    where table_type = 'city_stats' and is_current
),

reported_rows as (
    select
        stats.*,
        row_number() over (
            partition by stats_files.cutoff_date, stats_files.city_code order by stats.source_row
        ) as row_rank
    from {{ ref('stg_city_stats') }} as stats
    inner join stats_files using (file_sha256, file_path)
),

reported_wide as (
    select * from reported_rows where row_rank = 1
),

reported as (
    {{ report_figures_long('reported_wide', 'reported_value') }}
),

computed as (
    {{ report_figures_long(ref('rpt_campaign_stats'), 'computed_value') }}
),

figure_differences as (
    select
        reported.cutoff_date,
        reported.city_code,
        'figure_difference' as check_type,
        reported.figure as subject,
        headers.header as detail,
        coalesce(computed.computed_value, 0) as computed_value,
        reported.reported_value
    from reported
    left join computed using (cutoff_date, city_code, figure)
    left join {{ ref('ref_report_figures') }} as headers on headers.figure = reported.figure
),

discrimination_unmarked as (
    select
        cutoffs.cutoff_date,
        flags.city_code,
        'discrimination_unmarked' as check_type,
        flags.post_id as subject,
        {{ ordered_string_agg(
            "flags.rule_id || ' ' || flags.category_zh || ': ' || flags.matched_text", "'; '", 'flags.rule_id'
        ) }} as detail,
        1.0 as computed_value,
        0.0 as reported_value
    from {{ ref('fct_job_post_discrimination_flags') }} as flags
    inner join cutoffs on flags.first_cutoff_date <= cutoffs.cutoff_date
    where not flags.is_marked_discriminatory
    group by cutoffs.cutoff_date, flags.city_code, flags.post_id
),

unioned as (
    {{ union_all_columns(
        ['category_unsupported', 'multi_city_claims', 'figure_differences', 'discrimination_unmarked'],
        ['cutoff_date', 'city_code', 'check_type', 'subject', 'detail', 'computed_value', 'reported_value'],
    ) }}
),

final as (
    select
        cutoff_date,
        city_code,
        check_type,
        subject,
        detail,
        computed_value,
        reported_value,
        round(reported_value - computed_value, 2) as diff,
        round((reported_value - computed_value) / nullif(computed_value, 0), 4) as rel_diff,
        coalesce(reported_value = computed_value, false) as is_match
    from unioned
)

select * from final
