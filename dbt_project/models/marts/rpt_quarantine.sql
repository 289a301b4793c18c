-- What ingestion could not load, for operators, without personal data: no row_json, and a
-- cell's value only when it is a date, number or enumeration that failed to parse (ID,
-- name and phone cells are never of those kinds, so their values never appear here).
-- The reason sentence follows the same rule. Full detail: restricted.restricted_quarantine.
with issues as (
    select * from {{ ref('restricted_quarantine') }}
),

final as (
    select
        issue_level,
        reason_code,
        case
            when reason_code in ('bad_date', 'bad_number', 'bad_enum') then reason
            else {{ regexp_replace_all('reason', "'value ''[^'']*'''", "'value (hidden)'") }}
        end as reason,
        campaign_id,
        cutoff_date,
        city_code,
        city_name,
        table_type,
        file_path,
        file_name,
        file_sha256,
        file_is_current,
        sheet,
        source_row,
        column_name,
        case when reason_code in ('bad_date', 'bad_number', 'bad_enum') then value end as value
    from issues
)

select * from final
