-- The campaign contact (联系人) each city named, as known at each cut-off: the rows of
-- the city's latest contact file sent in a folder <= T (contract §3: the latest upload
-- wins). Restricted: names and phones; only the restricted register reads it.
with list_files as (
    {{ current_list_files('contacts') }}
),

contacts as (
    select * from {{ ref('stg_contacts') }}
),

final as (
    select
        list_files.cutoff_date,
        list_files.city_code,
        contacts.name,
        contacts.unit,
        contacts.position,
        contacts.office_phone,
        contacts.mobile,
        contacts.email,
        list_files.source_cutoff_date,
        list_files.received_at,
        contacts.file_path,
        contacts.source_row
    from list_files
    inner join contacts
        on contacts.file_sha256 = list_files.file_sha256
        and contacts.file_path = list_files.file_path
)

select * from final
