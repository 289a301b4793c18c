-- The evidence an invalid-ID record may offer (contract §5): for each (name_norm,
-- phone_norm) of a valid-ID person on a current ledger (any city, any cut-off of the
-- campaign), how many different people carry it, and the person when there is one.
-- Every int_person_links__<table> model links by it.
with campaign as (
    select * from {{ ref('stg_campaign') }}
),

current_ledger_files as (
    select submissions.file_sha256, submissions.file_path
    from {{ submissions_of('ledger') }} as submissions
    inner join campaign on campaign.campaign_id = submissions.campaign_id
    where submissions.is_current
),

ledger_people as (
    select distinct
        ledger.name_norm,
        ledger.phone_norm,
        ledger.id_number as person_id
    from {{ ref('stg_ledger') }} as ledger
    inner join current_ledger_files using (file_sha256, file_path)
    where ledger.id_is_valid
        and ledger.name_norm is not null
        and ledger.phone_norm is not null
),

final as (
    select
        name_norm,
        phone_norm,
        count(*) as candidate_count,
        min(person_id) as only_person_id
    from ledger_people
    group by name_norm, phone_norm
)

select * from final
