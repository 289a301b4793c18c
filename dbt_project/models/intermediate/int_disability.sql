-- Registry 持证残疾人: every extract file unioned, one row per natural key
-- [id_number] (person_id is the normalised valid ID); see registry_latest_copies.
{{ registry_latest_copies(
    'stg_disability', 'reg_disability',
    natural_key=['person_id'],
    columns=['person_id', 'name', 'city_code', 'disability_type', 'disability_grade', 'certified_on'],
) }}
