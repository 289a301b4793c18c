-- Registry 失业登记: every extract file unioned, one row per natural key
-- [id_number, registered_on] (person_id is the normalised valid ID); see registry_latest_copies.
{{ registry_latest_copies(
    'stg_unemployment_registration', 'reg_unemployment_registration',
    natural_key=['person_id', 'registered_on'],
    columns=['person_id', 'name', 'city_code', 'registered_on', 'cancelled_on', 'cancel_reason'],
) }}
