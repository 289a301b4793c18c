-- Registry 低保 (dibao): one row per row of every extract file, typed and normalised
-- (macro registry_staging). Natural key [id_number, started_on]; de-duplicated in int_dibao.
{{ registry_staging('reg_dibao', ['household_id', 'dibao_type', 'started_on', 'ended_on']) }}
