-- Registry 离校未就业高校毕业生 (graduates): one row per row of every extract file, typed and normalised
-- (macro registry_staging). Natural key [id_number]; de-duplicated in int_graduates.
{{ registry_staging('reg_graduates', ['school', 'degree', 'graduated_on', 'employment_status']) }}
