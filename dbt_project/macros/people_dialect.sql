{# The few engine-specific pieces of the people macros, dispatched per adapter
   (adapter.dispatch) so the normalisation itself stays plain SQL. The default__
   versions are DuckDB's; another warehouse adds <adapter>__ versions here. #}

{# True when the whole of `expr` matches the regular expression `pattern`. #}
{% macro regexp_whole_match(expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_whole_match', 'warmheart')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regexp_whole_match(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_whole_match(expr, pattern) -%}
    regexp_like({{ expr }}, '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro postgres__regexp_whole_match(expr, pattern) -%}
    ({{ expr }} ~ '^(?:{{ pattern }})$')
{%- endmacro %}

{# True when `expr` contains a match of the regular expression `pattern`. #}
{% macro regexp_contains(expr, pattern) -%}
    {{ return(adapter.dispatch('regexp_contains', 'warmheart')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regexp_contains(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regexp_contains(expr, pattern) -%}
    regexp_like({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regexp_contains(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}

{# An 8-digit YYYYMMDD text as a date; null when it is not a calendar date. #}
{% macro try_date_yyyymmdd(expr) -%}
    {{ return(adapter.dispatch('try_date_yyyymmdd', 'warmheart')(expr)) }}
{%- endmacro %}

{% macro default__try_date_yyyymmdd(expr) -%}
    cast(try_strptime({{ expr }}, '%Y%m%d') as date)
{%- endmacro %}

{% macro spark__try_date_yyyymmdd(expr) -%}
    try_to_date({{ expr }}, 'yyyyMMdd')
{%- endmacro %}

{# Hex sha256 of a text. #}
{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'warmheart')(expr)) }}
{%- endmacro %}

{% macro default__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}

{% macro spark__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}

{% macro postgres__sha256_hex(expr) -%}
    encode(sha256(convert_to({{ expr }}, 'UTF8')), 'hex')
{%- endmacro %}
