-- 岗位推介记录: one row per job pushed to one person, as sent. No phone column.
{{ config(stage_by_file=true) }}

with renamed as (
    select
        {{ submission_lineage_columns() }},
        source.name,
        source.id_number as id_number_raw,
        trim(source.post_id) as post_id,
        source.referred_on,
        source.referral_method
    from {{ source('raw', 'referrals') }} as source
),

{{ person_staging_ctes(has_phone=false) }}

select * from final
