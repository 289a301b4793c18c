-- Registry 脱贫人口: every extract file unioned, one row per natural key
-- [id_number] (person_id is the normalised valid ID); see registry_latest_copies.
{{ registry_latest_copies(
    'stg_poverty_alleviated', 'reg_poverty_alleviated',
    natural_key=['person_id'],
    columns=['person_id', 'name', 'household_id', 'city_code'],
) }}
