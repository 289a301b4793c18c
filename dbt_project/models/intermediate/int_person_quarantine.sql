-- Person-bearing records whose person could not be resolved (contract §5), where an
-- operator sees them: fix the source, rerun. These rows count nowhere.
with links as (
    {{ all_person_links() }}
),

final as (
    select
        table_type,
        file_sha256,
        file_path,
        source_row,
        received_at,
        campaign_id,
        cutoff_date,
        city_code,
        is_current_file,
        name,
        id_number_raw,
        id_number,
        name_norm,
        phone_norm,
        reason_code,
        reason
    from links
    where person_id is null
)

select * from final
