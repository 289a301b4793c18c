-- Assistance bases (援助基地) on each city's current list for each cut-off (contract §3:
-- a snapshot; a city that sends none for T keeps its latest earlier list, flagged
-- is_carried_forward). One row per (cutoff_date, city_code, 基地编号); a 基地编号 twice
-- in one list is one base, the first row of the file.
with list_rows as (
    {{ current_list_rows('stg_bases', 'bases', one_row_per='base_id') }}
),

final as (
    select
        cutoff_date,
        city_code,
        base_id,
        base_name,
        base_type,
        operator,
        operator_uscc,
        is_operator_uscc_invalid,
        recognised_on,
        posts_offered,
        base_name_norm,
        operator_norm,
        source_cutoff_date,
        is_carried_forward,
        file_path,
        source_row
    from list_rows
)

select * from final
