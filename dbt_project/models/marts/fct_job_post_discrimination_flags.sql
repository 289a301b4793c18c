-- Postings the discrimination rules flag: one row per (city, posting, rule) that matches
-- 岗位名称 or 岗位要求, beside whether the city itself marked it 是否歧视性信息=是.
with job_posts as (
    select * from {{ ref('int_job_posts') }}
),

rules as (
    select * from {{ ref('rule_discrimination') }}
),

post_texts as (
    select
        city_code,
        post_id,
        first_cutoff_date,
        published_on,
        is_discriminatory,
        removed_on,
        -- Title and requirements searched together: a rule may hit either.
        concat_ws(' ', title, requirements) as post_text
    from job_posts
),

matches as (
    select
        post_texts.city_code,
        post_texts.post_id,
        post_texts.first_cutoff_date,
        post_texts.published_on,
        post_texts.removed_on,
        coalesce(post_texts.is_discriminatory, false) as is_marked_discriminatory,
        rules.rule_id,
        rules.category,
        rules.category_zh,
        -- The match may start with the one character a pattern uses to exclude 不.
        trim(regexp_extract(post_texts.post_text, rules.pattern, 0)) as matched_text
    from post_texts
    inner join rules on {{ regexp_matches_column('post_texts.post_text', 'rules.pattern') }}
),

final as (
    select
        city_code,
        post_id,
        rule_id,
        category,
        category_zh,
        matched_text,
        is_marked_discriminatory,
        first_cutoff_date,
        published_on,
        removed_on
    from matches
)

select * from final
