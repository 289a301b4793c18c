-- Job referrals (岗位推介) de-duplicated by the contract's identity (person, city,
-- 岗位编号): a repeat of the same pair is the same referral. Its date is the earliest
-- 推介日期 sent for the pair (when the job was first pushed), first_cutoff_date the
-- earliest cut-off folder it arrived in.
{{ sent_record_latest_copies(
    'stg_referrals', 'referrals',
    identity=['person_id', 'city_code', 'post_id'],
    order_by='referred_on, cutoff_date, received_at, source_row',
    first_of=['referred_on'],
    has_person=true,
    columns=['person_id', 'city_code', 'post_id', 'first_referred_on as referred_on', 'referral_method'],
) }}
