-- Pairings (结对帮扶) on each city's current list for each cut-off: a snapshot carried
-- forward like the ledger (docs/decisions.md). One row per (cutoff_date, city_code,
-- 结对编号), the first row of the file when repeated. A 干部结对援助对象 row carries
-- its person resolved as in contract §5; one whose person cannot be resolved is left
-- out here (int_person_quarantine lists it) and counts nowhere.
with list_rows as (
    {{ current_list_rows(
        'stg_pairings', 'pairings',
        person='left',
        keep='not records.is_cadre_pairing or links.person_id is not null',
        one_row_per='pairing_id',
    ) }}
),

final as (
    select
        cutoff_date,
        city_code,
        pairing_id,
        pairing_type,
        is_cadre_pairing,
        is_enterprise_pairing,
        helper,
        helper_uscc,
        is_helper_uscc_invalid,
        person_id,
        community,
        paired_on,
        ended_on,
        coalesce(
            paired_on <= cutoff_date
            and (ended_on is null or ended_on > cutoff_date),
            false
        ) as is_active,
        source_cutoff_date,
        is_carried_forward,
        file_path,
        source_row
    from list_rows
)

select * from final
