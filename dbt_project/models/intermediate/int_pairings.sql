-- Pairings (结对帮扶) on each city's current list for each cut-off: a snapshot carried
-- forward like the ledger (docs/decisions.md). One row per (cutoff_date, city_code,
-- 结对编号), the first row of the file when repeated. A 干部结对援助对象 row carries
-- its person resolved as in contract §5; one whose person cannot be resolved is left
-- out here (int_person_quarantine lists it) and counts nowhere.
with list_files as (
    {{ current_list_files('pairings') }}
),

pairings as (
    select * from {{ ref('stg_pairings') }}
),

links as (
    select * from {{ ref('int_person_links') }}
    where table_type = 'pairings' and person_id is not null
),

final as (
    select
        list_files.cutoff_date,
        list_files.city_code,
        pairings.pairing_id,
        pairings.pairing_type,
        pairings.is_cadre_pairing,
        pairings.is_enterprise_pairing,
        pairings.helper,
        pairings.helper_uscc,
        pairings.is_helper_uscc_invalid,
        links.person_id,
        pairings.community,
        pairings.paired_on,
        pairings.ended_on,
        coalesce(
            pairings.paired_on <= list_files.cutoff_date
            and (pairings.ended_on is null or pairings.ended_on > list_files.cutoff_date),
            false
        ) as is_active,
        list_files.source_cutoff_date,
        list_files.is_carried_forward,
        pairings.file_path,
        pairings.source_row
    from list_files
    inner join pairings
        on pairings.file_sha256 = list_files.file_sha256
        and pairings.file_path = list_files.file_path
    left join links
        on links.file_sha256 = pairings.file_sha256
        and links.file_path = pairings.file_path
        and links.source_row = pairings.source_row
    where not pairings.is_cadre_pairing or links.person_id is not null
    qualify row_number() over (
        partition by list_files.cutoff_date, list_files.city_code, pairings.pairing_id
        order by pairings.source_row
    ) = 1
)

select * from final
