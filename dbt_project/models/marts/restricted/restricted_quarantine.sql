-- The full ingestion quarantine for data stewards: every file, row and cell that could not
-- be loaded as sent, with the offending value and the row's cells (row_json), which may
-- carry ID numbers, names and phones. Analysts use rpt_quarantine instead.
with issues as (
    select * from {{ ref('stg_ingest_issues') }}
),

files as (
    select file_sha256, file_path, is_current, is_superseded
    from {{ ref('int_submissions') }}
),

cities as (
    select city_code, city_name from {{ ref('ref_cities') }}
),

final as (
    select
        issues.issue_level,
        issues.reason_code,
        issues.reason,
        issues.campaign_id,
        issues.cutoff_date,
        issues.city_code,
        cities.city_name,
        issues.table_type,
        issues.file_path,
        issues.file_name,
        issues.file_sha256,
        -- Issues of a superseded upload matter less: a later upload replaced the file.
        files.is_current as file_is_current,
        issues.sheet,
        issues.source_row,
        issues.column_name,
        issues.value,
        issues.row_json
    from issues
    left join files using (file_sha256, file_path)
    left join cities on cities.city_code = issues.city_code
)

select * from final
