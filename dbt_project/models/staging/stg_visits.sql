-- 走访慰问记录: one row per visit row as sent. No phone column: an invalid ID cannot be
-- linked by name + phone (int_person_links).
with source as (
    select * from {{ source('raw', 'visits') }}
),

renamed as (
    select
        {{ lineage_columns() }},
        source._city_code as city_code,
        source.name,
        source.id_number as id_number_raw,
        source.visited_on,
        source.visit_method,
        source.visitor
    from source
),

{{ person_staging_ctes(has_phone=false) }}

select * from final
