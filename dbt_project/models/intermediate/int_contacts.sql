-- The campaign contact (联系人) each city named, as known at each cut-off: the rows of
-- the city's latest contact file sent in a folder <= T (contract §3: the latest upload
-- wins). Restricted: names and phones; only the restricted register reads it.
with list_rows as (
    {{ current_list_rows('stg_contacts', 'contacts') }}
),

final as (
    select
        cutoff_date,
        city_code,
        name,
        unit,
        position,
        office_phone,
        mobile,
        email,
        source_cutoff_date,
        received_at,
        file_path,
        source_row
    from list_rows
)

select * from final
