-- Registry 离校未就业高校毕业生: every extract file unioned, de-duplicated by the natural key
-- [id_number] (person_id is the normalised valid ID). The copy from the
-- most recently received file wins. Rows with an invalid ID are left out (registries
-- carry no phone to link by; int_person_quarantine lists them).
with records as (
    {{ registry_records('stg_graduates', 'reg_graduates') }}
),

ranked as (
    select
        *,
        count(*) over natural_key as copies_received,
        row_number() over (natural_key order by received_at desc, file_path desc, source_row desc) as copy_rank
    from records
    window natural_key as (partition by person_id)
),

final as (
    select
        person_id,
        name,
        city_code,
        school,
        degree,
        graduated_on,
        employment_status,
        copies_received,
        file_path,
        source_row,
        received_at
    from ranked
    where copy_rank = 1
)

select * from final
