-- Registry 失业保险待遇发放: every extract file unioned, de-duplicated by the natural key
-- [payment_id] (person_id is the normalised valid ID). The copy from the
-- most recently received file wins. Rows with an invalid ID are left out (registries
-- carry no phone to link by; int_person_quarantine lists them).
with records as (
    {{ registry_records('stg_ui_benefits', 'reg_ui_benefits') }}
),

ranked as (
    select
        *,
        count(*) over natural_key as copies_received,
        row_number() over (natural_key order by received_at desc, file_path desc, source_row desc) as copy_rank
    from records
    window natural_key as (partition by payment_id)
),

final as (
    select
        person_id,
        payment_id,
        name,
        city_code,
        benefit_type,
        paid_on,
        amount_yuan,
        copies_received,
        file_path,
        source_row,
        received_at
    from ranked
    where copy_rank = 1
)

select * from final
