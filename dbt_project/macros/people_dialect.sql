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

{# The bytes HMAC works on (macro person_key): a text as UTF-8 bytes, hex digits as bytes,
   and the hex sha256 of bytes. Bytes are joined with `||` on every engine. #}
{% macro utf8_bytes(expr) -%}
    {{ return(adapter.dispatch('utf8_bytes', 'warmheart')(expr)) }}
{%- endmacro %}

{% macro default__utf8_bytes(expr) -%}
    encode({{ expr }})
{%- endmacro %}

{% macro spark__utf8_bytes(expr) -%}
    cast({{ expr }} as binary)
{%- endmacro %}

{% macro postgres__utf8_bytes(expr) -%}
    convert_to({{ expr }}, 'UTF8')
{%- endmacro %}

{% macro hex_bytes(expr) -%}
    {{ return(adapter.dispatch('hex_bytes', 'warmheart')(expr)) }}
{%- endmacro %}

{% macro default__hex_bytes(expr) -%}
    unhex({{ expr }})
{%- endmacro %}

{% macro postgres__hex_bytes(expr) -%}
    decode({{ expr }}, 'hex')
{%- endmacro %}

{% macro sha256_hex(bytes_expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'warmheart')(bytes_expr)) }}
{%- endmacro %}

{% macro default__sha256_hex(bytes_expr) -%}
    sha256({{ bytes_expr }})
{%- endmacro %}

{% macro spark__sha256_hex(bytes_expr) -%}
    sha2({{ bytes_expr }}, 256)
{%- endmacro %}

{% macro postgres__sha256_hex(bytes_expr) -%}
    encode(sha256({{ bytes_expr }}), 'hex')
{%- endmacro %}

{# One of the two HMAC pads of the person_key secret, as 128 hex digits, read by the engine
   when the query runs. DuckDB: a session variable the connection plugin sets
   (pipelines/person_key_plugin.py; unset, the key is null and the not-null tests stop the
   build). Spark: the environment of the driver, which the pipeline sets for dbt
   (pipelines/person_key.py dbt_env), substituted by Spark's parser. #}
{% macro person_key_pad(which) -%}
    {{ return(adapter.dispatch('person_key_pad', 'warmheart')(which)) }}
{%- endmacro %}

{% macro default__person_key_pad(which) -%}
    getvariable('{{ "warmheart_person_key_" ~ which }}')
{%- endmacro %}

{% macro spark__person_key_pad(which) -%}
    '${env:{{ "WARMHEART_PERSON_KEY_IPAD" if which == "inner" else "WARMHEART_PERSON_KEY_OPAD" }}}'
{%- endmacro %}
