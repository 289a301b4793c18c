{# The three CTEs every person-bearing staging model shares: `ids` (cleaned and
   normalised ID next to the raw text) and `people` (validity, birth date, gender,
   name_norm, phone_norm). `renamed` must expose id_number_raw, name and phone. #}
{% macro person_staging_ctes(renamed='renamed', has_phone=true) -%}
ids as (
    select
        *,
        {{ clean_id_text('id_number_raw') }} as id_clean
    from {{ renamed }}
),

normalised as (
    select
        * exclude (id_clean),
        {{ normalize_id_number('id_clean') }} as id_number
    from ids
),

people as (
    select
        *,
        {# Validity is judged against the campaign end, see macro id_is_valid. #}
        {{ person_columns("(select max(campaign_end) from " ~ ref('stg_campaign') ~ ")") }},
        {{ normalize_name('name') }} as name_norm,
        {% if has_phone %}{{ normalize_phone('phone') }}{% else %}cast(null as varchar){% endif %} as phone_norm
    from normalised
)
{%- endmacro %}
