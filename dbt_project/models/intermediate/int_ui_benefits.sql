-- Registry 失业保险待遇发放: every extract file unioned, one row per natural key
-- [payment_id] (person_id is the normalised valid ID); see registry_latest_copies.
{{ registry_latest_copies(
    'stg_ui_benefits', 'reg_ui_benefits',
    natural_key=['payment_id'],
    columns=['person_id', 'payment_id', 'name', 'city_code', 'benefit_type', 'paid_on', 'amount_yuan'],
) }}
