-- Registry 离校未就业高校毕业生: every extract file unioned, one row per natural key
-- [id_number] (person_id is the normalised valid ID); see registry_latest_copies.
{{ registry_latest_copies(
    'stg_graduates', 'reg_graduates',
    natural_key=['person_id'],
    columns=['person_id', 'name', 'city_code', 'school', 'degree', 'graduated_on', 'employment_status'],
) }}
