{# Helpers of the singular tests in tests/marts/. They restate the report's rules on
   the built marts on purpose, without the models' macros (report_rows.sql), so that a
   broken model macro is caught. #}

{# The province rows of `relation` (one row per cut-off and city, plus 370000) whose
   `figures` are not the sum of the city rows of their cut-off (more than `tolerance`
   apart: money is rounded per row). #}
{% macro province_rows_not_summing(relation, figures, tolerance=0) -%}
    select province.cutoff_date, province.city_code
    from {{ relation }} as province
    inner join (
        select
            cutoff_date,
            {% for figure in figures -%}
            sum({{ figure }}) as {{ figure }}{{ ',' if not loop.last }}
            {% endfor -%}
        from {{ relation }}
        where city_code <> {{ term('PROVINCE_CODE') }}
        group by cutoff_date
    ) as city_sums using (cutoff_date)
    where province.city_code = {{ term('PROVINCE_CODE') }}
        and (
            {% for figure in figures -%}
            abs(province.{{ figure }} - city_sums.{{ figure }}) > {{ tolerance }}
            {%- if not loop.last %} or{% endif %}
            {% endfor -%}
        )
{%- endmacro %}
