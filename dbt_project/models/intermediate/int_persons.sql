-- One row per person: every valid normalised ID seen in any record of any source.
-- The person_key is the keyed pseudonym the marts carry instead of the ID.
with links as (
    {{ all_person_links() }}
),

person_ids as (
    select distinct person_id
    from links
    where resolution = 'valid_id'
),

final as (
    select
        person_id,
        {{ person_key('person_id') }} as person_key,
        {{ id_birth_date('person_id') }} as birth_date,
        {{ id_gender('person_id') }} as gender
    from person_ids
)

select * from final
