-- Job referrals (岗位推介) de-duplicated by the contract's identity (person, city,
-- 岗位编号): a repeat of the same pair is the same referral. Its date is the earliest
-- 推介日期 sent for the pair (when the job was first pushed), first_cutoff_date the
-- earliest cut-off folder it arrived in.
with records as (
    {{ current_submission_records('stg_referrals', 'referrals', true) }}
),

ranked as (
    {{ ranked_copies(
        'records',
        identity=['person_id', 'city_code', 'post_id'],
        order_by='referred_on, cutoff_date, received_at, source_row',
        first_of=['cutoff_date', 'referred_on'],
    ) }}
),

final as (
    select
        person_id,
        city_code,
        post_id,
        first_referred_on as referred_on,
        referral_method,
        first_cutoff_date,
        copies_received,
        file_path,
        source_row,
        cutoff_date as source_cutoff_date
    from ranked
    where copy_rank = 1
)

select * from final
