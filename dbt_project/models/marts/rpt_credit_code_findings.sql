-- Credit codes (统一社会信用代码) that fail the GB 32100 check, row by row, so each city
-- can correct them (contract §3: the row still loads; §8 counts them per city as
-- rpt_campaign_supplement.invalid_credit_codes). Postings known at T, bases and
-- enterprise pairings on the current lists for T. Enterprise codes only: no person.
with postings as (
    select
        cutoff_date, city_code, 'job_posts' as table_type, post_id as row_key,
        employer as unit_name, employer_uscc as credit_code, file_path, source_row
    from {{ ref('int_job_posts_at_cutoff') }}
    where is_employer_uscc_invalid
),

bases as (
    select
        cutoff_date, city_code, 'bases' as table_type, base_id as row_key,
        operator as unit_name, operator_uscc as credit_code, file_path, source_row
    from {{ ref('int_bases') }}
    where is_operator_uscc_invalid
),

pairings as (
    select
        cutoff_date, city_code, 'pairings' as table_type, pairing_id as row_key,
        helper as unit_name, helper_uscc as credit_code, file_path, source_row
    from {{ ref('int_pairings') }}
    where is_enterprise_pairing and is_helper_uscc_invalid
),

final as (
    select * from postings
    union all
    select * from bases
    union all
    select * from pairings
)

select * from final
