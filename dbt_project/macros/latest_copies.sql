{# One row per identity out of every copy a record arrived in. Cities resend records in
   later cut-off folders and registries are re-extracted, so the intermediates keep one
   copy per identity and count the copies. dbt_utils.deduplicate is not used: it keeps
   no copy count, and its default form (a natural join back to the rows) drops every
   row with a null in any column. #}

{# `relation` with copies_received (rows of the identity), copy_rank (1 = the copy to
   keep, by `order_by`) and first_<column> (its minimum over the identity) for each of
   `first_of`. Filter on copy_rank = 1. #}
{% macro ranked_copies(relation, identity, order_by, first_of=[]) -%}
    {#- Spelled out in each window: Spark cannot refine a named window with an order. #}
    {%- set partition = 'partition by ' ~ identity | join(', ') %}
    select
        *,
        {% for column in first_of -%}
        min({{ column }}) over ({{ partition }}) as first_{{ column }},
        {% endfor -%}
        count(*) over ({{ partition }}) as copies_received,
        row_number() over ({{ partition }} order by {{ order_by }}) as copy_rank
    from {{ relation }}
{%- endmacro %}

{# A registry intermediate (int_dibao, int_disability, ...): the rows of every extract
   file of `staging_model` with their resolved person, one row per `natural_key`; the
   copy from the most recently received file wins. Rows with an invalid ID are left out
   (registries carry no phone to link by; int_person_quarantine lists them). `columns`
   are the model's own columns; the copy count and lineage follow them. #}
{% macro registry_latest_copies(staging_model, table_type, natural_key, columns) -%}
with records as (
    {{ registry_records(staging_model, table_type) }}
),

ranked as (
    {{ ranked_copies('records', natural_key, 'received_at desc, file_path desc, source_row desc') }}
),

final as (
    select
        {% for column in columns -%}
        {{ column }},
        {% endfor -%}
        copies_received,
        file_path,
        source_row,
        received_at
    from ranked
    where copy_rank = 1
)

select * from final
{%- endmacro %}

{# A record that cities send in cut-off folders (visits, referrals, postings, events):
   one row per `identity` out of the current files of every folder
   (current_submission_records), the copy first by `order_by` (default: from the latest
   folder that sent it). `columns` are the model's own columns; first_cutoff_date (the
   earliest folder it arrived in: what the province knew when), the copy count and
   lineage follow them, source_cutoff_date being the folder of the kept copy. #}
{% macro sent_record_latest_copies(
    staging_model, table_type, identity, columns, order_by=none, first_of=[], has_person=false
) -%}
with records as (
    {{ current_submission_records(staging_model, table_type, has_person) }}
),

ranked as (
    {{ ranked_copies(
        'records',
        identity=identity,
        order_by=order_by or 'cutoff_date desc, received_at desc, source_row desc',
        first_of=['cutoff_date'] + first_of,
    ) }}
),

final as (
    select
        {% for column in columns -%}
        {{ column }},
        {% endfor -%}
        first_cutoff_date,
        copies_received,
        file_path,
        source_row,
        cutoff_date as source_cutoff_date
    from ranked
    where copy_rank = 1
)

select * from final
{%- endmacro %}
