-- The submission register: every city file with whether it is the one that counts.
-- For each (campaign, city, cut-off, table type) the most recently received file wins
-- (contract §2); earlier uploads stay here, flagged superseded.
with files as (
    select * from {{ ref('stg_files') }}
    where source = 'submission'
),

ranked as (
    select
        *,
        row_number() over (
            partition by campaign_id, city_code, cutoff_date, table_type
            order by received_at desc, file_path desc, file_sha256 desc
        ) as upload_rank,
        count(*) over (
            partition by campaign_id, city_code, cutoff_date, table_type
        ) as uploads_for_slot
    from files
    where table_type is not null
),

unrecognised as (
    select *, null::bigint as upload_rank, null::bigint as uploads_for_slot
    from files
    where table_type is null
),

final as (
    select
        file_sha256,
        file_path,
        file_name,
        file_format,
        campaign_id,
        cutoff_date,
        city_code,
        city_code_raw,
        table_type,
        received_at,
        is_late,
        rows_read,
        rows_loaded,
        rows_quarantined,
        status,
        upload_rank,
        uploads_for_slot,
        coalesce(upload_rank = 1, false) as is_current,
        coalesce(upload_rank > 1, false) as is_superseded
    from (
        select * from ranked
        union all
        select * from unrecognised
    )
)

select * from final
