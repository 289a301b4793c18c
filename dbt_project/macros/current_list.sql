{# The file that is a city's current list of `table_type` for each cut-off T of the
   configured campaign (contract §3, §5: snapshot tables): the current file of folder
   T, or when the city sent none for T, of its latest earlier folder (carried forward).
   One row per (cutoff_date, city_code) for every city that has sent one by T. #}
{% macro current_list_files(table_type) -%}
    select
        cutoffs.cutoff_date,
        list_files.city_code,
        list_files.file_sha256,
        list_files.file_path,
        list_files.cutoff_date as source_cutoff_date,
        list_files.cutoff_date < cutoffs.cutoff_date as is_carried_forward,
        list_files.received_at
    from {{ ref('stg_campaign_cutoffs') }} as cutoffs
    inner join (
        select submissions.*
        from {{ submissions_of(table_type) }} as submissions
        inner join {{ ref('stg_campaign') }} as campaign
            on campaign.campaign_id = submissions.campaign_id
        where submissions.is_current
    ) as list_files
        on list_files.cutoff_date <= cutoffs.cutoff_date
    qualify row_number() over (
        partition by cutoffs.cutoff_date, list_files.city_code
        order by list_files.cutoff_date desc
    ) = 1
{%- endmacro %}

{# The rows of each city's current list of `table_type` at each cut-off (the file of
   current_list_files, read from `staging_model`), with the list's cut-off columns and
   received_at. `person`: 'inner' joins the person each row resolves to and keeps only
   resolved rows, 'left' keeps every row (person_id null when unresolved). `keep`: a
   condition rows must meet. `one_row_per`: a key repeated in one list is one row, the
   first row of the file. #}
{% macro current_list_rows(staging_model, table_type, person=none, keep=none, one_row_per=none) -%}
    select
        list_files.cutoff_date,
        list_files.city_code,
        list_files.source_cutoff_date,
        list_files.is_carried_forward,
        list_files.received_at,
        {%- if person %}
        links.person_id,
        links.resolution,
        {%- endif %}
        records.{{ star_except(['cutoff_date', 'city_code', 'received_at']) }}
    from ({{ current_list_files(table_type) }}) as list_files
    {#- `on`, not `using`: Spark loses the join keys of `records.*` after a using join
        followed by a window (MISSING_ATTRIBUTES). #}
    inner join {{ ref(staging_model) }} as records
        on records.file_sha256 = list_files.file_sha256
        and records.file_path = list_files.file_path
    {%- if person %}
    {{ resolved_person_join(table_type, kind=person) }}
    {%- endif %}
    {%- if keep %}
    where {{ keep }}
    {%- endif %}
    {%- if one_row_per %}
    qualify row_number() over (
        partition by list_files.cutoff_date, list_files.city_code, records.{{ one_row_per }}
        order by records.source_row
    ) = 1
    {%- endif %}
{%- endmacro %}

{# Period records (postings, events) as known at each cut-off T: for every (city, id)
   sent in a folder <= T, the copy of the latest such folder (contract §8 "known at T";
   an earlier cut-off keeps what was reported then). The records are the rows of the
   current files of `staging_model` (current_submission_records); `identity` is the
   record's key column. #}
{% macro records_known_at_cutoff(staging_model, table_type, identity) -%}
    select
        cutoffs.cutoff_date,
        records.{{ star_except(['cutoff_date']) }},
        records.cutoff_date as source_cutoff_date,
        min(records.cutoff_date) over (
            partition by cutoffs.cutoff_date, records.city_code, records.{{ identity }}
        ) as first_cutoff_date
    from {{ ref('stg_campaign_cutoffs') }} as cutoffs
    inner join (
        {{ current_submission_records(staging_model, table_type, false) }}
    ) as records on records.cutoff_date <= cutoffs.cutoff_date
    qualify row_number() over (
        partition by cutoffs.cutoff_date, records.city_code, records.{{ identity }}
        order by records.cutoff_date desc, records.received_at desc, records.source_row desc
    ) = 1
{%- endmacro %}
