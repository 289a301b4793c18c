-- 走访慰问记录: one row per visit row as sent. No phone column: an invalid ID cannot be
-- linked by name + phone (int_person_links).
{{ config(stage_by_file=true) }}

with renamed as (
    select
        {{ submission_lineage_columns() }},
        source.name,
        source.id_number as id_number_raw,
        source.visited_on,
        source.visit_method,
        source.visitor
    from {{ source('raw', 'visits') }} as source
),

{{ person_staging_ctes(has_phone=false) }}

select * from final
