{# Generic data tests for the people models. Kept as macros here (not tests/generic)
   because this folder is the people models' own. #}

{# Every non-null value of the column is an allowed value of a terms.py enumeration
   (seed ref_enum_values, written from terms, so the allowed values are defined once). #}
{% test value_in_enum(model, column_name, enum) %}
select {{ column_name }} as invalid_value
from {{ model }}
where {{ column_name }} is not null
    and {{ column_name }} not in (
        select value from {{ ref('ref_enum_values') }} where enum_name = '{{ enum }}'
    )
{% endtest %}

{# The same for a list column (VARCHAR[]): every element must be an allowed value. #}
{% test values_in_enum(model, column_name, enum) %}
with elements as (
    select {{ unnest_list(column_name) }} as element from {{ model }}
)
select element as invalid_value
from elements
where element is not null
    and element not in (
        select value from {{ ref('ref_enum_values') }} where enum_name = '{{ enum }}'
    )
{% endtest %}
