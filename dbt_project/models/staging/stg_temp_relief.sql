-- Registry 临时救助发放 (temp_relief): one row per row of every extract file, typed and normalised
-- (macro registry_staging). Natural key [payment_id]; de-duplicated in int_temp_relief.
{{ registry_staging('reg_temp_relief', ['relief_type', 'paid_on', 'amount_yuan'], trimmed=['payment_id']) }}
