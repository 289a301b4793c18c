{# Two generic tests of dbt-labs/dbt-utils 1.4.1 (Apache License 2.0, Copyright dbt Labs),
   copied here because `dbt deps` cannot reach the package hub from this project's
   machines or CI (docs/decisions.md, "dbt_utils vendored"). Same names and arguments as
   upstream, so moving to the real package is: add packages.yml, prefix `dbt_utils.` in
   the ymls, delete this file. Only the default (non-dispatched) implementations are kept. #}

{# No two rows share the combination of `combination_of_columns`. #}
{% test unique_combination_of_columns(model, combination_of_columns, quote_columns=false) %}
{%- if quote_columns -%}
    {%- set column_list = [] -%}
    {%- for column in combination_of_columns -%}
        {%- do column_list.append(adapter.quote(column)) -%}
    {%- endfor -%}
{%- else -%}
    {%- set column_list = combination_of_columns -%}
{%- endif -%}
{%- set columns_csv = column_list | join(', ') %}

with validation_errors as (
    select {{ columns_csv }}
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1
)

select * from validation_errors
{% endtest %}

{# Rows where `expression` (or `column_name expression`) is not true fail. #}
{% test expression_is_true(model, expression, column_name=None) %}
{%- set column_list = '*' if should_store_failures() else "1" %}

select {{ column_list }}
from {{ model }}
{% if column_name is none -%}
where not({{ expression }})
{%- else -%}
where not({{ column_name }} {{ expression }})
{%- endif %}
{% endtest %}
