-- RESTRICTED (names, phones): the contact register (contract §3 联系人). One row per
-- cut-off and city, every city listed: the city's latest named contact known at T, or
-- has_contact = false when it has never named one (its feedback carries a reminder).
-- A contact file with several rows lists each of them.
with cutoffs as (
    select cutoff_date from {{ ref('stg_campaign_cutoffs') }}
),

cities as (
    select city_code::string as city_code, city_name from {{ ref('ref_cities') }}
),

contacts as (
    select * from {{ ref('int_contacts') }}
),

final as (
    select
        cutoffs.cutoff_date,
        cities.city_code,
        cities.city_name,
        contacts.name is not null as has_contact,
        contacts.name,
        contacts.unit,
        contacts.position,
        contacts.office_phone,
        contacts.mobile,
        contacts.email,
        contacts.source_cutoff_date,
        contacts.received_at,
        contacts.file_path,
        contacts.source_row
    from cutoffs
    cross join cities
    left join contacts using (cutoff_date, city_code)
)

select * from final
