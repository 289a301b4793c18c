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

-- One branch per rule, its pattern a constant (macro discrimination_rules, generated from
-- the same rules as the seed): a pattern joined in from the seed's column would be compiled
-- again for every posting it is tested on.
matches as (
    {%- for rule_id, pattern in discrimination_rules() %}
    select
        city_code,
        post_id,
        first_cutoff_date,
        published_on,
        removed_on,
        coalesce(is_discriminatory, false) as is_marked_discriminatory,
        '{{ rule_id }}' as rule_id,
        -- The match may start with the one character a pattern uses to exclude 不.
        trim(regexp_extract(post_text, '{{ pattern }}', 0)) as matched_text
    from post_texts
    where {{ regexp_matches_column('post_text', "'" ~ pattern ~ "'") }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        matches.city_code,
        matches.post_id,
        matches.rule_id,
        rules.category,
        rules.category_zh,
        matches.matched_text,
        matches.is_marked_discriminatory,
        matches.first_cutoff_date,
        matches.published_on,
        matches.removed_on
    from matches
    inner join rules on matches.rule_id = rules.rule_id
)

select * from final
