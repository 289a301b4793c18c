{# Two generic tests of dbt-labs/dbt-utils 1.4.1 (Apache License 2.0, Copyright dbt Labs),
   copied here because `dbt deps` cannot reach the package hub from this project's
   machines or CI (docs/decisions.md, "dbt_utils vendored"). Same names and arguments as
   upstream, so moving to the real package is: add packages.yml, prefix `dbt_utils.` in
   the ymls, delete this file. Only the default (non-dispatched) implementations are kept;
   unique_combination_of_columns groups by a hash of the key first (see there). #}

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

{#- Changed from upstream (same rule, same failing rows): grouping by the wide key itself
    (a 64-character file hash, a path, a row number) was the dearest test of a build, so
    the rows are first grouped by one 64-bit hash of the key, and only the rows whose hash
    repeats are grouped by the key. Equal keys hash equal, so no duplicate is missed; a
    collision of different keys only sends their rows to the exact grouping, which does
    not count them (docs/decisions.md, "Uniqueness tests group by a hash first"). #}
with repeated_hashes as (
    select {{ row_hash(column_list) }} as key_hash
    from {{ model }}
    group by {{ row_hash(column_list) }}
    having count(*) > 1
),

validation_errors as (
    select {{ columns_csv }}
    from {{ model }}
    where {{ row_hash(column_list) }} in (select key_hash from repeated_hashes)
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
