{# Unions of parts that fill different columns, in SQL both engines read: Spark has no
   `union all by name`, so every part lists the same columns in the same order. #}

{# `null::<type> as <name>` for each of `names`, typed by `types` (a mapping column →
   SQL type): the columns a part of the union does not fill. #}
{% macro null_columns(types, names) -%}
    {%- for name in names -%}
    null::{{ types[name] }} as {{ name }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{# `select <columns> from <part>` for each of `parts` (CTE names), joined by union all. #}
{% macro union_all_columns(parts, columns) -%}
    {% for part in parts -%}
    select {{ columns | join(', ') }} from {{ part }}
    {% if not loop.last -%}
    union all
    {% endif -%}
    {% endfor -%}
{%- endmacro %}
