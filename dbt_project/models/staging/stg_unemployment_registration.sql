-- Registry 失业登记 (unemployment_registration): one row per row of every extract file, typed and normalised
-- (macro registry_staging). Natural key [id_number, registered_on]; de-duplicated in int_unemployment_registration.
{{ registry_staging('reg_unemployment_registration', ['registered_on', 'cancelled_on', 'cancel_reason']) }}
