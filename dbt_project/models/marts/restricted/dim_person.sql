-- Restricted: who each person_key is (ID, name, phone, gender, birth date). Name and
-- phone are the latest ledger values (latest cut-off folder, then latest received file,
-- then the valid-ID row of that file); a person on no ledger takes the name of the most
-- recently received registry row. Gender and birth date come from the ID.
with persons as (
    select * from {{ ref('int_persons') }}
),

-- Names and phones come from the ledger link slice; a person on no ledger takes the
-- registries' name (int_registry_names). This model is kept when a city corrects its
-- visits or referrals.
links as (
    select * from ({{ all_person_links(['ledger']) }}) as ledger_links
    where person_id is not null
),

ledger_values as (
    select
        person_id,
        name,
        phone_norm as phone,
        row_number() over (
            partition by person_id
            order by cutoff_date desc, received_at desc, (resolution = 'valid_id') desc, source_row
        ) as recency_rank
    from links
    where is_current_file
),

registry_values as (
    select * from {{ ref('int_registry_names') }}
),

final as (
    select
        persons.person_key,
        persons.person_id,
        coalesce(ledger_values.name, registry_values.name) as name,
        ledger_values.phone,
        persons.gender,
        persons.birth_date,
        ledger_values.person_id is not null as is_on_a_ledger
    from persons
    left join ledger_values
        on ledger_values.person_id = persons.person_id and ledger_values.recency_rank = 1
    left join registry_values
        on registry_values.person_id = persons.person_id
)

select * from final
