-- Registry 低保: every extract file unioned, one row per natural key
-- [id_number, started_on] (person_id is the normalised valid ID); see registry_latest_copies.
{{ registry_latest_copies(
    'stg_dibao', 'reg_dibao',
    natural_key=['person_id', 'started_on'],
    columns=['person_id', 'name', 'household_id', 'city_code', 'dibao_type', 'started_on', 'ended_on'],
) }}
