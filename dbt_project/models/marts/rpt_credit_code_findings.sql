-- Credit codes (统一社会信用代码) that fail the GB 32100 check, row by row, so each city
-- can correct them (contract §3: the row still loads; §8 counts them per city as
-- rpt_campaign_supplement.invalid_credit_codes). Postings known at T, bases and
-- enterprise pairings on the current lists for T. Enterprise codes only: no person.
-- Each table names its key, the unit and the code column (is_<code>_invalid, staging).
{%- set tables = [
    {'model': 'int_job_posts_at_cutoff', 'table_type': 'job_posts', 'row_key': 'post_id',
     'unit': 'employer', 'code': 'employer_uscc', 'rows': 'true'},
    {'model': 'int_bases', 'table_type': 'bases', 'row_key': 'base_id',
     'unit': 'operator', 'code': 'operator_uscc', 'rows': 'true'},
    {'model': 'int_pairings', 'table_type': 'pairings', 'row_key': 'pairing_id',
     'unit': 'helper', 'code': 'helper_uscc', 'rows': 'is_enterprise_pairing'},
] %}
with final as (
    {% for table in tables -%}
    select
        cutoff_date,
        city_code,
        '{{ table.table_type }}' as table_type,
        {{ table.row_key }} as row_key,
        {{ table.unit }} as unit_name,
        {{ table.code }} as credit_code,
        file_path,
        source_row
    from {{ ref(table.model) }}
    where {{ table.rows }} and is_{{ table.code }}_invalid
    {% if not loop.last %}union all
    {% endif -%}
    {% endfor %}
)

select * from final
