-- Contract §6 invariants of the report: each 其中 column ≤ its total, nothing negative.
-- Returns the offending rows (a failing test blocks publication).
select cutoff_date, city_code, 'part exceeds total or negative' as problem
from {{ ref('rpt_campaign_stats') }}
where long_term_unemployed > targets_identified
    or older_workers > targets_identified
    or disabled > targets_identified
    or dibao_members > targets_identified
    or onsite_job_fairs > special_recruitment_events
    or employed_by_enterprise + employed_flexibly + employed_public_welfare > employed
    or least(
        targets_identified, long_term_unemployed, older_workers, disabled, dibao_members,
        visits, job_posts_collected, special_recruitment_events, onsite_job_fairs, jobs_pushed,
        employed, employed_by_enterprise, employed_flexibly, employed_public_welfare,
        discriminatory_posts_removed, temp_relief_payments
    ) < 0
    or temp_relief_amount_yuan < 0
