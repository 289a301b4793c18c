{# The 17 figures of `relation` (one row per cut-off and city) in long form: one row per
   (cutoff_date, city_code, figure) with the value as a double in `value_name`. #}
{% macro report_figures_long(relation, value_name) -%}
    unpivot (
        select
            cutoff_date,
            city_code,
            {% for figure in report_figures() -%}
            {{ figure }}::double as {{ figure }}{{ ',' if not loop.last }}
            {% endfor %}
        from {{ relation }}
    )
    on {{ report_figures() | join(', ') }}
    into name figure value {{ value_name }}
{%- endmacro %}
