{# The engine-specific pieces of the models outside the people macros (people_dialect.sql),
   dispatched per adapter so the same models build on DuckDB (default__) and on Spark
   (spark__, docs/scaling.md). Everything else in the models is SQL both engines read. #}

{# Every column of the relation but `columns` (a list of names). #}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except', 'warmheart')(columns)) }}
{%- endmacro %}

{% macro default__star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}

{# One 64-bit hash of the values of `columns` (a list of expressions); equal values give
   equal hashes, NULLs included. #}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'warmheart')(columns)) }}
{%- endmacro %}

{% macro default__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__row_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{# One row per element of a list column (in a select list). #}
{% macro unnest_list(expr) -%}
    {{ return(adapter.dispatch('unnest_list', 'warmheart')(expr)) }}
{%- endmacro %}

{% macro default__unnest_list(expr) -%}
    unnest({{ expr }})
{%- endmacro %}

{% macro spark__unnest_list(expr) -%}
    explode({{ expr }})
{%- endmacro %}

{# Number of elements of a list. #}
{% macro list_size(expr) -%}
    {{ return(adapter.dispatch('list_size', 'warmheart')(expr)) }}
{%- endmacro %}

{% macro default__list_size(expr) -%}
    len({{ expr }})
{%- endmacro %}

{% macro spark__list_size(expr) -%}
    cast(size({{ expr }}) as bigint)
{%- endmacro %}

{# The list of the non-null values among `items` (SQL expressions), in their order. #}
{% macro non_null_list(items) -%}
    {{ return(adapter.dispatch('non_null_list', 'warmheart')(items)) }}
{%- endmacro %}

{% macro default__non_null_list(items) -%}
    list_filter([{{ items | join(', ') }}], lambda item: item is not null)
{%- endmacro %}

{% macro spark__non_null_list(items) -%}
    filter(array({{ items | join(', ') }}), item -> item is not null)
{%- endmacro %}

{# True when the two lists share an element. #}
{% macro lists_overlap(left, right) -%}
    {{ return(adapter.dispatch('lists_overlap', 'warmheart')(left, right)) }}
{%- endmacro %}

{% macro default__lists_overlap(left, right) -%}
    list_has_any({{ left }}, {{ right }})
{%- endmacro %}

{% macro spark__lists_overlap(left, right) -%}
    arrays_overlap({{ left }}, {{ right }})
{%- endmacro %}

{# The aggregate list of a column's values (no order). #}
{% macro list_agg(expr) -%}
    {{ return(adapter.dispatch('list_agg', 'warmheart')(expr)) }}
{%- endmacro %}

{% macro default__list_agg(expr) -%}
    list({{ expr }})
{%- endmacro %}

{% macro spark__list_agg(expr) -%}
    collect_list({{ expr }})
{%- endmacro %}

{# Texts joined with `separator` (a SQL literal) in the order of `order_by`. #}
{% macro ordered_string_agg(expr, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'warmheart')(expr, separator, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expr, separator, order_by) -%}
    string_agg({{ expr }}, {{ separator }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_string_agg(expr, separator, order_by) -%}
    string_agg({{ expr }}, {{ separator }}) within group (order by {{ order_by }})
{%- endmacro %}

{# A timestamp as 'YYYY-MM-DD HH:MM' text. #}
{% macro format_minute(expr) -%}
    {{ return(adapter.dispatch('format_minute', 'warmheart')(expr)) }}
{%- endmacro %}

{% macro default__format_minute(expr) -%}
    strftime({{ expr }}, '%Y-%m-%d %H:%M')
{%- endmacro %}

{% macro spark__format_minute(expr) -%}
    date_format({{ expr }}, 'yyyy-MM-dd HH:mm')
{%- endmacro %}

{# One row per integer 0, 1, ..., count - 1 (in a select list). #}
{% macro unnest_range(count) -%}
    {{ return(adapter.dispatch('unnest_range', 'warmheart')(count)) }}
{%- endmacro %}

{% macro default__unnest_range(count) -%}
    unnest(range(0::bigint, {{ count }}))
{%- endmacro %}

{% macro spark__unnest_range(count) -%}
    explode(if({{ count }} > 0, sequence(0L, {{ count }} - 1), cast(array() as array<bigint>)))
{%- endmacro %}

{# True when the regular expression in the column (or expression) `pattern` matches
   somewhere in `expr` (people_dialect's regexp_contains takes a pattern literal). #}
{% macro regexp_matches_column(expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_matches_column', 'warmheart')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regexp_matches_column(expr, pattern) -%}
    regexp_matches({{ expr }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regexp_matches_column(expr, pattern) -%}
    regexp_like({{ expr }}, {{ pattern }})
{%- endmacro %}

{# `expr` with every match of `pattern` replaced (both SQL literals; in `replacement`,
   group_ref(n) inserts the n-th group). #}
{% macro regexp_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'warmheart')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, {{ pattern }}, {{ replacement }})
{%- endmacro %}

{# The replacement text that inserts the n-th group of the match. #}
{% macro group_ref(n) -%}
    {{ return(adapter.dispatch('group_ref', 'warmheart')(n)) }}
{%- endmacro %}

{% macro default__group_ref(n) -%}
    '\{{ n }}'
{%- endmacro %}

{% macro spark__group_ref(n) -%}
    '${{ n }}'
{%- endmacro %}

{# A date `n` calendar years (a month-end date stays at month end: 02-29 + 1 year = 02-28)
   or `n` days later; `n` may be negative. dbt.dateadd is not used: on Spark it fails on
   a null date (assert_not_null), and a birth date may be missing. #}
{% macro add_years(expr, n) -%}
    {{ return(adapter.dispatch('add_years', 'warmheart')(expr, n)) }}
{%- endmacro %}

{% macro default__add_years(expr, n) -%}
    ({{ expr }} + to_years({{ n }}))
{%- endmacro %}

{% macro spark__add_years(expr, n) -%}
    add_months({{ expr }}, 12 * ({{ n }}))
{%- endmacro %}

{% macro add_days(expr, n) -%}
    {{ return(adapter.dispatch('add_days', 'warmheart')(expr, n)) }}
{%- endmacro %}

{% macro default__add_days(expr, n) -%}
    ({{ expr }} + to_days({{ n }}))
{%- endmacro %}

{% macro spark__add_days(expr, n) -%}
    date_add({{ expr }}, {{ n }})
{%- endmacro %}
