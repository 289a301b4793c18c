with final as (
    select
        file_sha256,
        file_path,
        file_name,
        file_format,
        encoding,
        source,
        campaign_id,
        cutoff_date,
        city_code,
        city_code_raw,
        registry_source,
        table_type,
        sheet,
        header_row,
        received_at,
        is_late,
        rows_read,
        rows_blank,
        rows_loaded,
        rows_quarantined,
        status,
        error
    from {{ source('raw', 'files') }}
)

select * from final
