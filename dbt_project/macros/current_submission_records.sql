{# Rows of a city table from the current file of every cut-off folder of the configured
   campaign (is_current of the table's slice of int_submissions), each with the person it
   resolves to when the table names people. Rows of superseded files and other campaigns are left out; rows
   whose person is unresolved are left out too (int_person_quarantine lists them). #}
{% macro current_submission_records(staging_model, table_type, has_person) -%}
    select
        records.*
        {%- if has_person %},
        links.person_id,
        links.resolution
        {%- endif %}
    from {{ ref(staging_model) }} as records
    inner join {{ submissions_of(table_type) }} as submissions
        on submissions.file_sha256 = records.file_sha256
        and submissions.file_path = records.file_path
        and submissions.is_current
    inner join {{ ref('stg_campaign') }} as campaign
        on campaign.campaign_id = submissions.campaign_id
    {%- if has_person %}
    {{ resolved_person_join(table_type) }}
    {%- endif %}
{%- endmacro %}

{# Registry rows of every extract file with their resolved person (invalid IDs left out:
   registries have no phone to link by, see int_person_links). #}
{% macro registry_records(staging_model, table_type) -%}
    select
        records.*,
        links.person_id
    from {{ ref(staging_model) }} as records
    {{ resolved_person_join(table_type) }}
{%- endmacro %}

{# Joins `records` (rows of a staging model of `table_type`) to the person each row
   resolves to (the table's slice of int_person_links); with kind 'inner' unresolved rows
   drop out, with 'left' they stay with a null person. #}
{% macro resolved_person_join(table_type, kind='inner') -%}
    {{ kind }} join {{ person_links_of(table_type) }} as links
        on links.file_sha256 = records.file_sha256
        and links.file_path = records.file_path
        and links.source_row = records.source_row
        and links.person_id is not null
{%- endmacro %}
