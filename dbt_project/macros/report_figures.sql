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

{# The figures of rpt_campaign_supplement whose province row is the sum of the city rows
   (all but the median, which is recomputed over the province). #}
{% macro supplement_summed_figures() -%}
    {{ return([
        'bases_employment_assistance', 'bases_training', 'bases_internship', 'employed_at_bases',
        'targets_paired', 'enterprise_community_pairs', 'graduate_targets',
        'fell_back_to_unemployed', 'invalid_credit_codes',
    ]) }}
{%- endmacro %}

{# The 17 figures as the report types them: money rounded to 2 decimals (double), counts
   as bigint; one select item each, in the contract's order. #}
{% macro typed_report_figures() -%}
    {% for figure in report_figures() -%}
    {% if figure in report_money_figures() -%}
    round({{ figure }}, 2)::double as {{ figure }}
    {%- else -%}
    {{ figure }}::bigint as {{ figure }}
    {%- endif %}{{ ',' if not loop.last }}
    {% endfor %}
{%- endmacro %}

{# `<column>::bigint as <column>` for each of `columns`: the marts' counts are bigint on
   both engines, whatever type the sums and counts before them took. #}
{% macro bigint_counts(columns) -%}
    {%- for column in columns -%}
    {{ column }}::bigint as {{ column }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
