-- Assistance bases (援助基地) on each city's current list for each cut-off (contract §3:
-- a snapshot; a city that sends none for T keeps its latest earlier list, flagged
-- is_carried_forward). One row per (cutoff_date, city_code, 基地编号); a 基地编号 twice
-- in one list is one base, the first row of the file.
with list_files as (
    {{ current_list_files('bases') }}
),

bases as (
    select * from {{ ref('stg_bases') }}
),

final as (
    select
        list_files.cutoff_date,
        list_files.city_code,
        bases.base_id,
        bases.base_name,
        bases.base_type,
        bases.operator,
        bases.operator_uscc,
        bases.is_operator_uscc_invalid,
        bases.recognised_on,
        bases.posts_offered,
        bases.base_name_norm,
        bases.operator_norm,
        list_files.source_cutoff_date,
        list_files.is_carried_forward,
        bases.file_path,
        bases.source_row
    from list_files
    inner join bases
        on bases.file_sha256 = list_files.file_sha256
        and bases.file_path = list_files.file_path
    qualify row_number() over (
        partition by list_files.cutoff_date, list_files.city_code, bases.base_id
        order by bases.source_row
    ) = 1
)

select * from final
