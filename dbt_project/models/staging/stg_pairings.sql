-- 结对帮扶: a city's list of pairings, one row per row sent, with normalised person
-- columns for 干部结对援助对象 rows (the person is resolved in int_person_links).
with renamed as (
    select
        {{ submission_lineage_columns() }},
        trim(source.pairing_id) as pairing_id,
        source.pairing_type,
        coalesce(source.pairing_type = {{ term('PAIRING_CADRE_TARGET') }}, false) as is_cadre_pairing,
        coalesce(source.pairing_type = {{ term('PAIRING_ENTERPRISE_COMMUNITY') }}, false) as is_enterprise_pairing,
        source.helper,
        {{ uscc_columns('helper_uscc') }},
        source.name,
        source.id_number as id_number_raw,
        source.community,
        source.paired_on,
        source.ended_on
    from {{ source('raw', 'pairings') }} as source
),

{{ person_staging_ctes(has_phone=false) }}

select * from final
