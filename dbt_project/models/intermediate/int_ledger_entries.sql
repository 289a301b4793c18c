-- One row per (cutoff_date, city_code, person_id): who is on each city's ledger for each
-- cut-off of the campaign (contract §5).
--   * The ledger for (city, T) is the city's current ledger file (int_submissions) of the
--     folder T, or, when it sent none for T, of its latest earlier cut-off folder
--     (is_carried_forward, source_cutoff_date).
--   * A person twice in one ledger is one entry: the row with a valid ID wins over a row
--     linked by name + phone, then the first row of the file (lowest source_row).
--   * is_owner marks the city the person belongs to at T: the ledger received last wins,
--     a tie goes to the lower city code (int_ledger_conflicts lists the losers).
with campaign as (
    select * from {{ ref('stg_campaign') }}
),

cutoffs as (
    select * from {{ ref('stg_campaign_cutoffs') }}
),

ledger_files as (
    select submissions.*
    from {{ ref('int_submissions') }} as submissions
    inner join campaign on campaign.campaign_id = submissions.campaign_id
    where submissions.table_type = 'ledger' and submissions.is_current
),

-- For every cut-off T and every city that has sent a ledger by then, the file that counts.
ledger_for_cutoff as (
    select
        cutoffs.cutoff_date,
        ledger_files.city_code,
        ledger_files.file_sha256,
        ledger_files.file_path,
        ledger_files.cutoff_date as source_cutoff_date,
        ledger_files.received_at as ledger_received_at,
        row_number() over (
            partition by cutoffs.cutoff_date, ledger_files.city_code
            order by ledger_files.cutoff_date desc
        ) as recency_rank
    from cutoffs
    inner join ledger_files on ledger_files.cutoff_date <= cutoffs.cutoff_date
),

ledger_rows as (
    select * from {{ ref('stg_ledger') }}
),

links as (
    select * from {{ ref('int_person_links') }}
    where table_type = 'ledger' and person_id is not null
),

entries as (
    select
        ledger_for_cutoff.cutoff_date,
        ledger_for_cutoff.city_code,
        links.person_id,
        links.resolution,
        ledger_for_cutoff.source_cutoff_date,
        ledger_for_cutoff.source_cutoff_date < ledger_for_cutoff.cutoff_date as is_carried_forward,
        ledger_for_cutoff.ledger_received_at,
        ledger_rows.file_sha256,
        ledger_rows.file_path,
        ledger_rows.source_row,
        ledger_rows.name,
        ledger_rows.name_norm,
        ledger_rows.phone,
        ledger_rows.phone_norm,
        ledger_rows.gender_reported,
        ledger_rows.district,
        ledger_rows.categories,
        ledger_rows.unemployment_registered_on,
        ledger_rows.graduated_on,
        ledger_rows.identified_on,
        ledger_rows.employment_status,
        ledger_rows.job_wish,
        ledger_rows.service_needs,
        ledger_rows.assistance_plan,
        nullif(trim(coalesce(ledger_rows.assistance_plan, '')), '') is not null as has_plan,
        ledger_rows.employed_on,
        ledger_rows.employment_channel,
        ledger_rows.employer,
        row_number() over (
            partition by ledger_for_cutoff.cutoff_date, ledger_for_cutoff.city_code, links.person_id
            order by (links.resolution = 'valid_id') desc, ledger_rows.source_row
        ) as duplicate_rank
    from ledger_for_cutoff
    inner join ledger_rows
        on ledger_rows.file_sha256 = ledger_for_cutoff.file_sha256
        and ledger_rows.file_path = ledger_for_cutoff.file_path
    inner join links
        on links.file_sha256 = ledger_rows.file_sha256
        and links.file_path = ledger_rows.file_path
        and links.source_row = ledger_rows.source_row
    where ledger_for_cutoff.recency_rank = 1
),

deduplicated as (
    select {{ star_except(['duplicate_rank']) }}
    from entries
    where duplicate_rank = 1
),

final as (
    select
        *,
        count(*) over (partition by cutoff_date, person_id) as claiming_city_count,
        row_number() over (
            partition by cutoff_date, person_id
            order by ledger_received_at desc, city_code asc
        ) = 1 as is_owner
    from deduplicated
)

select * from final
