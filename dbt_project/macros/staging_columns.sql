{# Shared column lists for the staging models. #}

{# Lineage of every raw row (docs/raw_layer.md), renamed without the underscore. #}
{% macro lineage_columns(relation_alias='source') -%}
    {{ relation_alias }}._file_sha256 as file_sha256,
    {{ relation_alias }}._file_path as file_path,
    {{ relation_alias }}._sheet as sheet,
    {{ relation_alias }}._source_row as source_row,
    {{ relation_alias }}._received_at as received_at,
    {{ relation_alias }}._campaign_id as campaign_id,
    {{ relation_alias }}._cutoff_date as cutoff_date,
    {{ relation_alias }}._table_type as table_type
{%- endmacro %}

{# A submission's lineage and its city: the city code of the folder the file came from. #}
{% macro submission_lineage_columns(relation_alias='source') -%}
    {{ lineage_columns(relation_alias) }},
    {{ relation_alias }}._city_code as city_code
{%- endmacro %}

{# Birth date and gender (docs/models.md), computed from an upstream CTE that already has
   id_number and id_is_valid (see person_staging). #}
{% macro person_columns() -%}
    case when id_is_valid then {{ id_birth_date('id_number') }} end as birth_date,
    case when id_is_valid then {{ id_gender('id_number') }} end as gender
{%- endmacro %}

{# 是/否 → true/false; anything else (ingestion quarantines it as bad_enum) → null.
   Booleans are born in staging, so no later model compares with '是'. #}
{% macro yes_no_boolean(expr) -%}
    case {{ expr }} when {{ term('YES') }} then true when {{ term('NO') }} then false end
{%- endmacro %}
