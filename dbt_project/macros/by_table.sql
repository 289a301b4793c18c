{# Per-table slices of the two registers nearly every model reads: which file of each
   (city, cut-off, table) is current (int_submissions), and who each person-bearing record
   is (int_person_links). A model reads the slice of its own table (submissions_of,
   person_links_of), so when a city corrects its visits only the visits' slices change and
   the build memo keeps the ledger's models (macros/build_memo.sql; docs/decisions.md,
   "Early cutoff"). The models of models/intermediate/by_table/ are one line each. #}

{# The tables whose records name a person: (table_type, staging model, condition a row
   must meet to name one). Of 结对帮扶 only 干部结对援助对象 rows name a person. #}
{% macro person_tables() -%}
    {{ return([
        ('ledger', 'stg_ledger', none),
        ('visits', 'stg_visits', none),
        ('referrals', 'stg_referrals', none),
        ('pairings', 'stg_pairings', 'is_cadre_pairing'),
        ('reg_unemployment_registration', 'stg_unemployment_registration', none),
        ('reg_ui_benefits', 'stg_ui_benefits', none),
        ('reg_dibao', 'stg_dibao', none),
        ('reg_temp_relief', 'stg_temp_relief', none),
        ('reg_disability', 'stg_disability', none),
        ('reg_poverty_alleviated', 'stg_poverty_alleviated', none),
        ('reg_graduates', 'stg_graduates', none),
    ]) }}
{%- endmacro %}

{% macro submissions_of(table_type) -%}
    {{ ref('int_submissions__' ~ table_type) }}
{%- endmacro %}

{% macro person_links_of(table_type) -%}
    {{ ref('int_person_links__' ~ table_type) }}
{%- endmacro %}

{# int_submissions__<table_type>: the register's files of one table type. #}
{% macro submissions_slice(table_type) -%}
with final as (
    select * from {{ ref('int_submissions') }}
    where table_type = '{{ table_type }}'
)

select * from final
{%- endmacro %}

{# int_person_links__<table_type>: the records of one table resolved to a person (contract
   §5, see int_person_links for the rules), each with why it could not be when it was not. #}
{% macro person_links(table_type) -%}
{#- A corrected file changes its own records' links (and, rarely, those its names and
    phones vouch for): the other files' rows are kept, not written again. -#}
{{ config(rewrite_parts_by=['file_sha256', 'file_path']) }}
{%- set spec = person_tables() | selectattr(0, 'equalto', table_type) | first -%}
{%- set is_registry = table_type.startswith('reg_') -%}
with records as (
    select
        '{{ table_type }}' as table_type,
        file_sha256,
        file_path,
        source_row,
        received_at,
        campaign_id,
        cutoff_date,
        city_code,
        name,
        id_number_raw,
        id_number,
        id_is_valid,
        name_norm,
        phone_norm
    from {{ ref(spec[1]) }}
    {% if spec[2] %}where {{ spec[2] }}{% endif %}
),

evidence as (
    select * from {{ ref('int_person_evidence') }}
),

{% if not is_registry -%}
current_files as (
    select file_sha256, file_path, is_current from {{ submissions_of(table_type) }}
),
{%- endif %}

resolved as (
    select
        records.*,
        evidence.candidate_count,
        -- Registries are full extracts, all of them count; submissions count from their current file.
        {% if is_registry -%}
        true as is_current_file,
        {%- else -%}
        coalesce(current_files.is_current, false) as is_current_file,
        {%- endif %}
        case
            when records.id_is_valid then records.id_number
            when evidence.candidate_count = 1 then evidence.only_person_id
        end as person_id,
        case
            when records.id_is_valid then 'valid_id'
            when evidence.candidate_count = 1 then 'name_phone'
        end as resolution
    from records
    left join evidence
        on not records.id_is_valid
        and evidence.name_norm = records.name_norm
        and evidence.phone_norm = records.phone_norm
    {%- if not is_registry %}
    -- `on`, not `using`: after a using join Spark lists the keys first in `records.*`.
    left join current_files
        on current_files.file_sha256 = records.file_sha256
        and current_files.file_path = records.file_path
    {%- endif %}
),

final as (
    select
        *,
        case
            when person_id is not null then null
            when candidate_count > 1 then 'ambiguous_name_phone'
            when phone_norm is null and table_type <> 'ledger' then 'invalid_id_no_phone_table'
            when name_norm is null or phone_norm is null then 'invalid_id_no_name_or_phone'
            else 'invalid_id_no_match'
        end as reason_code,
        -- The message is laid out by its parts, not by sqlfluff's indentation rule.
        -- noqa: disable=LT02
        case
            when person_id is not null then null
            else concat(
                'ID number ', coalesce('"' || id_number_raw || '"', '(empty)'),
                ' is not a valid resident ID',
                case when id_number is null then ' (not 15 or 18 characters of digits/X, or lost in a spreadsheet)'
                     else ' (wrong check character or impossible birth date)' end,
                '; ',
                case
                    when candidate_count > 1 then
                        'name and phone match ' || candidate_count
                        || ' different people on current ledgers, so the row cannot be linked'
                    when phone_norm is null and table_type <> 'ledger' then
                        'this table has no phone, so it can only be linked by a valid ID'
                    when name_norm is null or phone_norm is null then
                        'name or phone is missing, so it cannot be linked by name and phone'
                    else 'no person with a valid ID on a current ledger has this name and phone'
                end,
                '. File ', file_path, ', row ', source_row, '. Correct the ID at the source and rerun.'
            )
        end as reason
        -- noqa: enable=LT02
    from resolved
)

select * from final
{%- endmacro %}

{# Every person-bearing record: the union of the link slices, which is what
   int_person_links shows. Models read this, not int_person_links: on DuckDB that is a
   view (writing the 4 M-row union as a table cost seconds of every correction), and the
   build memo keys a model by the tables it reads, which a view is not.
   `table_types`, when given, keeps the slices a model needs: a model reading only the
   ledger and the registries is then kept when a city corrects its visits. #}
{% macro all_person_links(table_types=none) -%}
    {%- set slices = [] -%}
    {%- for table_type, _model, _condition in person_tables() -%}
        {%- if table_types is none or table_type in table_types %}{% do slices.append(table_type) %}{% endif -%}
    {%- endfor -%}
    {% for table_type in slices %}
    select * from {{ person_links_of(table_type) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
{%- endmacro %}

{# The registries' table types (reg_*), in person_tables() order. #}
{% macro registry_tables() -%}
    {%- set found = [] -%}
    {%- for table_type, _model, _condition in person_tables() if table_type.startswith('reg_') -%}
        {%- do found.append(table_type) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}
