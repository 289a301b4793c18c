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
        null::string as person_key,
        null::string as subject,
        null::double as reported_value,
        null::double as computed_value,
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
        null::string as column_name,  -- the ID column, whatever its header
        person_quarantine.id_number_raw as value,
        null::string as person_key,
        null::string as subject,
        null::double as reported_value,
        null::double as computed_value,
        person_quarantine.reason as detail
    from person_quarantine
    left join file_sheets
        on file_sheets.file_sha256 = person_quarantine.file_sha256
        and file_sheets.file_path = person_quarantine.file_path
),

comparisons as (
    select
        cutoff_date,
        city_code,
        'comparison' as section,
        'comparison' as issue_level,
        check_type as reason_code,
        null::string as file_path,
        null::string as file_name,
        null::string as sheet,
        null::integer as source_row,
        case when check_type = 'figure_difference' then detail end as column_name,
        null::string as value,
        case when check_type in ('category_unsupported', 'multi_city_claim') then subject end
            as person_key,
        subject,
        reported_value,
        computed_value,
        detail
    from comparison
),

todo_flags as (
    select cutoff_date, city_code, person_key, referrals_in_window,
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
    select cutoff_date, city_code, person_key, referrals_in_window,
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
        null::string as file_path,
        null::string as file_name,
        null::string as sheet,
        null::integer as source_row,
        null::string as column_name,
        null::string as value,
        person_key,
        null::string as subject,
        referrals_in_window::double as reported_value,
        null::double as computed_value,
        null::string as detail
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
        null::string as sheet,
        null::integer as source_row,
        null::string as column_name,
        {{ format_minute('received_at') }} as value,
        null::string as person_key,
        null::string as subject,
        null::double as reported_value,
        null::double as computed_value,
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
        null::string as file_path,
        null::string as file_name,
        null::string as sheet,
        null::integer as source_row,
        null::string as column_name,
        null::string as value,
        null::string as person_key,
        null::string as subject,
        null::double as reported_value,
        null::double as computed_value,
        'no file received for this cut-off' as detail
    from begun
    cross join cities
    anti join submissions
        on submissions.cutoff_date = begun.cutoff_date
        and submissions.city_code = cities.city_code
),

-- The policy asks each city to name a contact with its first report (contract §3).
no_contact as (
    select
        register.cutoff_date,
        register.city_code,
        'timeliness' as section,
        'timeliness' as issue_level,
        'missing_contact' as reason_code,
        null::string as file_path,
        null::string as file_name,
        null::string as sheet,
        null::integer as source_row,
        null::string as column_name,
        null::string as value,
        null::string as person_key,
        null::string as subject,
        null::double as reported_value,
        null::double as computed_value,
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
        null::string as sheet,
        findings.source_row,
        null::string as column_name,
        findings.credit_code as value,
        null::string as person_key,
        findings.row_key as subject,
        null::double as reported_value,
        null::double as computed_value,
        findings.table_type || ' ' || findings.row_key || ': credit code fails the GB 32100 check' as detail
    from {{ ref('rpt_credit_code_findings') }} as findings
    inner join submissions
        on submissions.file_path = findings.file_path
        and submissions.cutoff_date = findings.cutoff_date
        and submissions.is_current
),

{%- set unioned_columns = 'cutoff_date, city_code, section, issue_level, reason_code, file_path, file_name, '
    ~ 'sheet, source_row, column_name, value, person_key, subject, reported_value, computed_value, detail' %}
unioned as (
    select {{ unioned_columns }} from data_issues
    union all
    select {{ unioned_columns }} from person_issues
    union all
    select {{ unioned_columns }} from comparisons
    union all
    select {{ unioned_columns }} from todos
    union all
    select {{ unioned_columns }} from late_files
    union all
    select {{ unioned_columns }} from silent
    union all
    select {{ unioned_columns }} from no_contact
    union all
    select {{ unioned_columns }} from credit_codes
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
