-- Registry 低保: every extract file unioned, de-duplicated by the natural key
-- [id_number, started_on] (person_id is the normalised valid ID). The copy from the
-- most recently received file wins. Rows with an invalid ID are left out (registries
-- carry no phone to link by; int_person_quarantine lists them).
with records as (
    {{ registry_records('stg_dibao', 'reg_dibao') }}
),

ranked as (
    select
        *,
        count(*) over natural_key as copies_received,
        row_number() over (natural_key order by received_at desc, file_path desc, source_row desc) as copy_rank
    from records
    window natural_key as (partition by person_id, started_on)
),

final as (
    select
        person_id,
        name,
        household_id,
        city_code,
        dibao_type,
        started_on,
        ended_on,
        copies_received,
        file_path,
        source_row,
        received_at
    from ranked
    where copy_rank = 1
)

select * from final
