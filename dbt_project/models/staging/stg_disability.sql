-- Registry 持证残疾人 (disability): one row per row of every extract file, typed and normalised
-- (macro registry_staging). Natural key [id_number]; de-duplicated in int_disability.
{{ registry_staging('reg_disability', ['disability_type', 'disability_grade', 'certified_on']) }}
