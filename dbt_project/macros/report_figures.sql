{# The 17 figures of `relation` (one row per cut-off and city) in long form: one row per
   (cutoff_date, city_code, figure) with the value as a double in `value_name`. #}
{% macro report_figures_long(relation, value_name) -%}
    {#- The SQL-standard UNPIVOT (both engines; nulls are left out, as before). #}
    select cutoff_date, city_code, figure, {{ value_name }}
    from (
        select
            cutoff_date,
            city_code,
            {% for figure in report_figures() -%}
            {{ figure }}::double as {{ figure }}{{ ',' if not loop.last }}
            {% endfor %}
        from {{ relation }}
    ) as wide
    unpivot ({{ value_name }} for figure in ({{ report_figures() | join(', ') }}))
{%- endmacro %}
