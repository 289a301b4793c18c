-- Registry 脱贫人口 (poverty_alleviated): one row per row of every extract file, typed and normalised
-- (macro registry_staging). Natural key [id_number]; de-duplicated in int_poverty_alleviated.
{{ registry_staging('reg_poverty_alleviated', ['household_id']) }}
