-- Everything ingestion could not load as sent, one row per issue:
--   file       a whole file was not loaded (unreadable, empty, unknown table, bad location)
--   row        a source row was quarantined (a required cell missing or unparseable)
--   cell       an optional cell was set to NULL, the row was loaded
with quarantine as (
    select * from {{ source('raw', 'quarantine') }}
),

cell_issues as (
    select * from {{ source('raw', 'cell_issues') }}
),

unioned as (
    select
        case when source_row is null then 'file' else 'row' end as issue_level,
        *
    from quarantine
    union all
    select 'cell' as issue_level, *, null::string as row_json
    from cell_issues
),

final as (
    select
        issue_level,
        file_sha256,
        file_path,
        regexp_extract(file_path, '[^/]+$', 0) as file_name,
        sheet,
        source_row,
        column_name,
        value,
        reason_code,
        reason,
        table_type,
        campaign_id,
        city_code,
        cutoff_date,
        row_json
    from unioned
)

select * from final
