{# Every column in `columns` is filled: one test per model instead of one per column.
   Each dbt test is a node with its own query, run and Dagster asset-check event (about
   50 ms each whatever the data); the 168 single-column not_null tests cost ~8 s of every
   run at any size. One scan counts the nulls of every column, and a failure names each
   column that has any, with how many rows. #}
{% test not_null_columns(model, columns) %}

with null_counts as (
    select
        {%- for column in columns %}
            sum(case when {{ column }} is null then 1 else 0 end) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
)

{% for column in columns %}
    select '{{ column }}' as null_column, {{ column }} as null_rows
    from null_counts
    where {{ column }} > 0
    {% if not loop.last %}union all{% endif %}
{% endfor %}

{% endtest %}
