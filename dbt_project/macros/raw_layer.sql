{# The raw layer on an engine other than the warehouse's DuckDB: schema raw's tables are
   the Parquet folders that ingestion mirrors (pipelines/ingest/raw_files.py), registered
   as external tables before every run so the sources resolve as raw.<table> everywhere.
   On DuckDB schema raw is the warehouse's own: nothing to do. #}
{% macro register_raw_layer() -%}
    {{ return(adapter.dispatch('register_raw_layer', 'warmheart')()) }}
{%- endmacro %}

{% macro default__register_raw_layer() -%}
{%- endmacro %}

{% macro spark__register_raw_layer() -%}
    {%- set root = env_var('WARMHEART_RAW_LAYER', '../data/raw_layer') -%}
    {%- if execute -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for source_node in graph.sources.values() if source_node.source_name == 'raw' -%}
            {%- do run_query('drop table if exists raw.' ~ source_node.name) -%}
            {%- do run_query('create table raw.' ~ source_node.name ~ " using parquet location '"
                ~ root ~ '/' ~ source_node.name ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
