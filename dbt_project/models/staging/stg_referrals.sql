-- 岗位推介记录: one row per job pushed to one person, as sent. No phone column.
with source as (
    select * from {{ source('raw', 'referrals') }}
),

renamed as (
    select
        {{ lineage_columns() }},
        source._city_code as city_code,
        source.name,
        source.id_number as id_number_raw,
        trim(source.post_id) as post_id,
        source.referred_on,
        source.referral_method
    from source
),

{{ person_staging_ctes(has_phone=false) }}

select * from final
