-- 问题反馈 (contract §9): one row per thing a city should fix or act on, per cut-off, naming
-- the person where there is one, so it is restricted. The per-city workbooks are this table
-- filtered to one city and cut-off; rpt_city_findings counts it for the province.
--   section     data_issue  a file, row or cell of the city's current upload not loaded as sent,
--                           a row whose person could not be identified, or a 统一社会信用代码
--                           that fails its check (the row is loaded)
--               comparison  数据比对 (rpt_data_comparison rows that do not match)
--               todo        targets with < 3 referrals, never visited, no plan, relief unpaid
--               timeliness  late files, no upload at all for a cut-off others reported on,
--                           no campaign contact (联系人) named by the cut-off
-- Issues of superseded files are left out: the city already replaced those files.
-- reason_code is translated by pipelines/reason_codes.py (原因 / 如何修改); the workbook
-- (pipelines/publish/feedback.py) words the values, so no Chinese text is typed here.
-- A correction rewrites only the (cut-off, city) parts whose rows changed (macros/build_memo.sql).
{{ config(rewrite_parts_by=['cutoff_date', 'city_code']) }}
{%- set item_types = {
    'cutoff_date': 'date', 'city_code': 'string', 'section': 'string', 'issue_level': 'string',
    'reason_code': 'string', 'file_path': 'string', 'file_name': 'string', 'sheet': 'string',
    'source_row': 'integer', 'column_name': 'string', 'value': 'string', 'person_key': 'string',
    'subject': 'string', 'reported_value': 'double', 'computed_value': 'double', 'detail': 'string',
} %}
with ingest_issues as (
    select * from {{ ref('restricted_quarantine') }}
    where city_code is not null
        and cutoff_date is not null
        and coalesce(file_is_current, true)
),

person_quarantine as (
    select * from {{ ref('int_person_quarantine') }}
    where city_code is not null
        and cutoff_date is not null
        and is_current_file
        and left(table_type, 4) <> 'reg_'
),

file_sheets as (
    select file_sha256, file_path, sheet from {{ ref('stg_files') }}
),

comparison as (
    select * from {{ ref('rpt_data_comparison') }}
    where not is_match
),

progress as (
    select * from {{ ref('fct_target_progress') }}
),

people as (
    select person_key, person_id as id_number, name, phone from {{ ref('dim_person') }}
),

submissions as (
    select * from {{ ref('int_submissions') }}
    where city_code is not null and cutoff_date is not null
),

cities as (
    select city_code::string as city_code from {{ ref('ref_cities') }}
),

data_issues as (
    select
        cutoff_date,
        city_code,
        'data_issue' as section,
        issue_level,
        reason_code,
        file_path,
        file_name,
        sheet,
        source_row,
        column_name,
        value,
        {{ null_columns(item_types, ['person_key', 'subject', 'reported_value', 'computed_value']) }},
        reason as detail
    from ingest_issues
),

person_issues as (
    select
        person_quarantine.cutoff_date,
        person_quarantine.city_code,
        'data_issue' as section,
        'person' as issue_level,
        person_quarantine.reason_code,
        person_quarantine.file_path,
        regexp_extract(person_quarantine.file_path, '[^/]+$', 0) as file_name,
        file_sheets.sheet,
        person_quarantine.source_row,
        person_quarantine.id_number_raw as value,
        -- column_name stays null: the ID column, whatever its header.
        {{ null_columns(item_types, ['column_name', 'person_key', 'subject', 'reported_value', 'computed_value']) }},
        person_quarantine.reason as detail
    from person_quarantine
    left join file_sheets using (file_sha256, file_path)
),

comparisons as (
    select
        cutoff_date,
        city_code,
        'comparison' as section,
        'comparison' as issue_level,
        check_type as reason_code,
        case when check_type = 'figure_difference' then detail end as column_name,
        {{ null_columns(item_types, ['file_path', 'file_name', 'sheet', 'source_row', 'value']) }},
        case when check_type in ('category_unsupported', 'multi_city_claim') then subject end
            as person_key,
        subject,
        reported_value,
        computed_value,
        detail
    from comparison
),

todo_flags as (
    select
        cutoff_date, city_code, person_key, referrals_in_window,
        'referrals_below_minimum' as reason_code
    from progress
    where is_referral_target_applicable and not is_referral_target_met
    union all
    select cutoff_date, city_code, person_key, referrals_in_window, 'never_visited' as reason_code
    from progress
    where not is_visited
    union all
    select cutoff_date, city_code, person_key, referrals_in_window, 'no_plan' as reason_code
    from progress
    where not has_plan
    union all
    select
        cutoff_date, city_code, person_key, referrals_in_window,
        'relief_eligible_unpaid' as reason_code
    from progress
    where is_relief_eligible and not is_relief_paid
),

todos as (
    select
        cutoff_date,
        city_code,
        'todo' as section,
        'todo' as issue_level,
        reason_code,
        person_key,
        referrals_in_window::double as reported_value,
        {{ null_columns(item_types, [
            'file_path', 'file_name', 'sheet', 'source_row', 'column_name', 'value', 'subject',
            'computed_value', 'detail',
        ]) }}
    from todo_flags
),

late_files as (
    select
        cutoff_date,
        city_code,
        'timeliness' as section,
        'timeliness' as issue_level,
        'late_upload' as reason_code,
        file_path,
        file_name,
        {{ format_minute('received_at') }} as value,
        {{ null_columns(item_types, [
            'sheet', 'source_row', 'column_name', 'person_key', 'subject', 'reported_value', 'computed_value',
        ]) }},
        'received ' || {{ format_minute('received_at') }} || ' after the cut-off' as detail
    from submissions
    where is_current and is_late
),

-- A cut-off "has begun" once any city uploaded for it; a silent city is then behind.
begun as (
    select distinct cutoff_date from submissions
),

silent as (
    select
        begun.cutoff_date,
        cities.city_code,
        'timeliness' as section,
        'timeliness' as issue_level,
        'missing_upload' as reason_code,
        {{ null_columns(item_types, [
            'file_path', 'file_name', 'sheet', 'source_row', 'column_name', 'value', 'person_key', 'subject',
            'reported_value', 'computed_value',
        ]) }},
        'no file received for this cut-off' as detail
    from begun
    cross join cities
    anti join submissions using (cutoff_date, city_code)
),

-- The policy asks each city to name a contact with its first report (contract §3).
no_contact as (
    select
        register.cutoff_date,
        register.city_code,
        'timeliness' as section,
        'timeliness' as issue_level,
        'missing_contact' as reason_code,
        {{ null_columns(item_types, [
            'file_path', 'file_name', 'sheet', 'source_row', 'column_name', 'value', 'person_key', 'subject',
            'reported_value', 'computed_value',
        ]) }},
        'no campaign contact named by this cut-off' as detail
    from {{ ref('restricted_contact_register') }} as register
    inner join begun on begun.cutoff_date = register.cutoff_date
    where not register.has_contact
),

-- Credit codes failing GB 32100, found in the file the city sent for this cut-off.
credit_codes as (
    select
        findings.cutoff_date,
        findings.city_code,
        'data_issue' as section,
        'cell' as issue_level,
        'invalid_credit_code' as reason_code,
        findings.file_path,
        regexp_extract(findings.file_path, '[^/]+$', 0) as file_name,
        findings.source_row,
        findings.credit_code as value,
        {{ null_columns(item_types, ['sheet', 'column_name', 'person_key', 'reported_value', 'computed_value']) }},
        findings.row_key as subject,
        findings.table_type || ' ' || findings.row_key || ': credit code fails the GB 32100 check' as detail
    from {{ ref('rpt_credit_code_findings') }} as findings
    inner join submissions
        on submissions.file_path = findings.file_path
        and submissions.cutoff_date = findings.cutoff_date
        and submissions.is_current
),

-- Each kind of item fills its own columns; null_columns types the others.
unioned as (
    {{ union_all_columns(
        ['data_issues', 'person_issues', 'comparisons', 'todos', 'late_files', 'silent', 'no_contact', 'credit_codes'],
        item_types.keys() | list,
    ) }}
),

final as (
    select
        unioned.cutoff_date,
        unioned.city_code,
        unioned.section,
        unioned.issue_level,
        unioned.reason_code,
        unioned.file_path,
        unioned.file_name,
        unioned.sheet,
        unioned.source_row,
        unioned.column_name,
        unioned.value,
        unioned.person_key,
        unioned.subject,
        unioned.reported_value,
        unioned.computed_value,
        people.id_number,
        people.name,
        people.phone,
        unioned.detail
    from unioned
    left join people on people.person_key = unioned.person_key
)

select * from final
