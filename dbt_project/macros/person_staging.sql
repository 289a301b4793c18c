{# The CTEs every person-bearing staging model ends with: `ids` and `normalised` (the
   cleaned and normalised ID next to the raw text), `validated` (id_is_valid), then `final`
   (birth date, gender, name_norm, phone_norm added). `renamed` must expose id_number_raw, name and,
   with has_phone, phone. The model closes with `select * from final`. #}
{% macro person_staging_ctes(renamed='renamed', has_phone=true) -%}
ids as (
    select
        *,
        {{ clean_id_text('id_number_raw') }} as id_clean
    from {{ renamed }}
),

normalised as (
    select
        {{ star_except(['id_clean']) }},
        {{ normalize_id_number('id_clean') }} as id_number
    from ids
),

validated as (
    select
        *,
        {# Validity is judged against the campaign end, see macro id_is_valid. Its own CTE:
           birth date and gender read it, and written out three times DuckDB computed the
           check character three times. #}
        {{ id_is_valid('id_number', "(select max(campaign_end) from " ~ ref('stg_campaign') ~ ")") }} as id_is_valid
    from normalised
),

final as (
    select
        *,
        {{ person_columns() }},
        {{ normalize_name('name') }} as name_norm,
        {% if has_phone %}{{ normalize_phone('phone') }}{% else %}cast(null as string){% endif %} as phone_norm
    from validated
)
{%- endmacro %}

{# The person columns of a registry extract, renamed: the raw ID text, the name and the
   registry's 市代码 as written and as the current city (371200 → 370100). #}
{% macro registry_person_columns(relation_alias='source') -%}
    {{ relation_alias }}.id_number as id_number_raw,
    {{ relation_alias }}.name,
    {{ relation_alias }}.city_code as city_code_raw,
    {{ normalize_city_code(relation_alias ~ '.city_code') }} as city_code
{%- endmacro %}

{# A registry staging model (stg_dibao, stg_disability, ...): every row of every extract
   file of raw.<source_table> with its lineage, the registry person columns, the
   table's own `columns` as typed at ingestion, and `trimmed` text keys with their
   surrounding spaces removed; then the person CTEs. Registries carry no phone, so an
   invalid ID there can only be quarantined. #}
{% macro registry_staging(source_table, columns, trimmed=[]) -%}
with renamed as (
    select
        {{ lineage_columns() }},
        {% for column in trimmed -%}
        trim(source.{{ column }}) as {{ column }},
        {% endfor -%}
        {{ registry_person_columns() }}
        {%- for column in columns %},
        source.{{ column }}
        {%- endfor %}
    from {{ source('raw', source_table) }} as source
),

{{ person_staging_ctes(has_phone=false) }}

select * from final
{%- endmacro %}
