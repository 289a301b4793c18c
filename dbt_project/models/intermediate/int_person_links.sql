-- Every person-bearing record of every file (current or not), resolved to a person
-- (contract §5):
--   * a valid normalised ID is the person;
--   * an invalid ID is linked when its name_norm AND phone_norm match exactly one
--     valid-ID person on any current ledger (any city, any cut-off of the campaign).
--     A one-digit typo fails the check character, so it lands here and is linked
--     instead of creating a second person;
--   * anything else stays unresolved, with a reason (int_person_quarantine).
-- Only ledgers carry a phone, so visits, referrals, pairings and registry rows with an
-- invalid ID can never meet the contract's evidence (same name and phone) and are
-- quarantined. Of 结对帮扶 only 干部结对援助对象 rows name a person.
{% set person_tables = [
    ('ledger', 'stg_ledger', none),
    ('visits', 'stg_visits', none),
    ('referrals', 'stg_referrals', none),
    ('pairings', 'stg_pairings', 'is_cadre_pairing'),
    ('reg_unemployment_registration', 'stg_unemployment_registration', none),
    ('reg_ui_benefits', 'stg_ui_benefits', none),
    ('reg_dibao', 'stg_dibao', none),
    ('reg_temp_relief', 'stg_temp_relief', none),
    ('reg_disability', 'stg_disability', none),
    ('reg_poverty_alleviated', 'stg_poverty_alleviated', none),
    ('reg_graduates', 'stg_graduates', none),
] %}

with records as (
    {% for table_type, model, condition in person_tables %}
    select
        '{{ table_type }}' as table_type,
        file_sha256,
        file_path,
        source_row,
        received_at,
        campaign_id,
        cutoff_date,
        city_code,
        name,
        id_number_raw,
        id_number,
        id_is_valid,
        name_norm,
        phone_norm
    from {{ ref(model) }}
    {% if condition %}where {{ condition }}{% endif %}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

campaign as (
    select * from {{ ref('stg_campaign') }}
),

submissions as (
    select * from {{ ref('int_submissions') }}
),

current_ledger_files as (
    select submissions.file_sha256, submissions.file_path
    from submissions
    inner join campaign on campaign.campaign_id = submissions.campaign_id
    where submissions.table_type = 'ledger' and submissions.is_current
),

-- Valid-ID people on current ledgers, by the evidence an invalid-ID row may offer.
ledger_people as (
    select distinct
        records.name_norm,
        records.phone_norm,
        records.id_number as person_id
    from records
    inner join current_ledger_files using (file_sha256, file_path)
    where records.table_type = 'ledger'
        and records.id_is_valid
        and records.name_norm is not null
        and records.phone_norm is not null
),

evidence as (
    select
        name_norm,
        phone_norm,
        count(*) as candidate_count,
        min(person_id) as only_person_id
    from ledger_people
    group by name_norm, phone_norm
),

current_files as (
    select file_sha256, file_path, is_current from submissions
),

resolved as (
    select
        records.*,
        evidence.candidate_count,
        -- Registries are full extracts, all of them count; submissions count from their current file.
        coalesce(current_files.is_current, left(records.table_type, 4) = 'reg_') as is_current_file,
        case
            when records.id_is_valid then records.id_number
            when evidence.candidate_count = 1 then evidence.only_person_id
        end as person_id,
        case
            when records.id_is_valid then 'valid_id'
            when evidence.candidate_count = 1 then 'name_phone'
        end as resolution
    from records
    left join evidence
        on not records.id_is_valid
        and evidence.name_norm = records.name_norm
        and evidence.phone_norm = records.phone_norm
    -- `on`, not `using`: after a using join Spark lists the keys first in `records.*`.
    left join current_files
        on current_files.file_sha256 = records.file_sha256
        and current_files.file_path = records.file_path
),

final as (
    select
        *,
        case
            when person_id is not null then null
            when candidate_count > 1 then 'ambiguous_name_phone'
            when phone_norm is null and table_type <> 'ledger' then 'invalid_id_no_phone_table'
            when name_norm is null or phone_norm is null then 'invalid_id_no_name_or_phone'
            else 'invalid_id_no_match'
        end as reason_code,
        -- The message is laid out by its parts, not by sqlfluff's indentation rule.
        -- noqa: disable=LT02
        case
            when person_id is not null then null
            else concat(
                'ID number ', coalesce('"' || id_number_raw || '"', '(empty)'),
                ' is not a valid resident ID',
                case when id_number is null then ' (not 15 or 18 characters of digits/X, or lost in a spreadsheet)'
                     else ' (wrong check character or impossible birth date)' end,
                '; ',
                case
                    when candidate_count > 1 then
                        'name and phone match ' || candidate_count
                        || ' different people on current ledgers, so the row cannot be linked'
                    when phone_norm is null and table_type <> 'ledger' then
                        'this table has no phone, so it can only be linked by a valid ID'
                    when name_norm is null or phone_norm is null then
                        'name or phone is missing, so it cannot be linked by name and phone'
                    else 'no person with a valid ID on a current ledger has this name and phone'
                end,
                '. File ', file_path, ', row ', source_row, '. Correct the ID at the source and rerun.'
            )
        end as reason
        -- noqa: enable=LT02
    from resolved
)

select * from final
