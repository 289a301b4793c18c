-- Registry 临时救助发放: every extract file unioned, one row per natural key
-- [payment_id] (person_id is the normalised valid ID); see registry_latest_copies.
{{ registry_latest_copies(
    'stg_temp_relief', 'reg_temp_relief',
    natural_key=['payment_id'],
    columns=['person_id', 'payment_id', 'name', 'city_code', 'relief_type', 'paid_on', 'amount_yuan'],
) }}
