-- Registry 失业保险待遇发放 (ui_benefits): one row per row of every extract file, typed and normalised
-- (macro registry_staging). Natural key [payment_id]; de-duplicated in int_ui_benefits.
{{ registry_staging('reg_ui_benefits', ['benefit_type', 'paid_on', 'amount_yuan'], trimmed=['payment_id']) }}
