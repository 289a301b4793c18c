-- 援助基地: a city's list of recognised assistance bases, one row per row sent.
-- Whether the file is the city's current list for a cut-off is decided in int_bases.
with final as (
    select
        {{ submission_lineage_columns() }},
        trim(source.base_id) as base_id,
        source.base_name,
        source.base_type,
        source.operator,
        {{ uscc_columns('operator_uscc') }},
        source.recognised_on,
        source.posts_offered,
        source.contact_name,
        source.contact_phone,
        -- Folded like names (contract §5), to meet a ledger's 就业单位 written slightly differently.
        {{ normalize_name('source.base_name') }} as base_name_norm,
        {{ normalize_name('source.operator') }} as operator_norm
    from {{ source('raw', 'bases') }} as source
)

select * from final
