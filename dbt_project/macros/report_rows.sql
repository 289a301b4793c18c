{# The city rows and the province row of the per-city marts (rpt_campaign_stats,
   rpt_campaign_supplement, rpt_city_targets, rpt_job_pool). #}

{# Every city at every cut-off (stg_campaign_cutoffs × ref_cities), with the figures of
   each CTE of `figure_ctes` (a mapping CTE → its figure columns, one row per
   cutoff_date and city_code). A city with nothing yet counts 0; a figure in
   `nullable` (a median, a count that is never missing) is taken as it is. #}
{% macro every_city_at_every_cutoff(figure_ctes, nullable=[]) -%}
    select
        cutoffs.cutoff_date,
        cities.city_code,
        cities.city_name,
        {% for cte, figures in figure_ctes.items() -%}
        {% set last_cte = loop.last -%}
        {% for figure in figures -%}
        {% if figure in nullable -%}
        {{ cte }}.{{ figure }}
        {%- else -%}
        coalesce({{ cte }}.{{ figure }}, 0) as {{ figure }}
        {%- endif %}{{ ',' if not (last_cte and loop.last) }}
        {% endfor -%}
        {% endfor -%}
    from {{ ref('stg_campaign_cutoffs') }} as cutoffs
    cross join {{ ref('ref_cities') }} as cities
    {% for cte in figure_ctes -%}
    left join {{ cte }} using (cutoff_date, city_code)
    {% endfor -%}
{%- endmacro %}

{# The rows of `city_rows` (columns cutoff_date, city_code, city_name, `keys`, `figures`)
   and, per cut-off (and per each of `keys`), the province row 370000: each of `figures`
   summed over the cities. Each person, record or base belongs to one city, so the sum is
   the province's count (contract §6); rates are recomputed from the sums by the calling
   model, never averaged. #}
{% macro with_province_sums(city_rows, figures, keys=[]) -%}
    {%- set columns = ['cutoff_date', 'city_code', 'city_name'] + keys + figures %}
    select {{ columns | join(', ') }} from {{ city_rows }}
    union all
    select
        cutoff_date,
        {{ term('PROVINCE_CODE') }} as city_code,
        {{ term('PROVINCE_NAME') }} as city_name,
        {% for key in keys -%}
        {{ key }},
        {% endfor -%}
        {% for figure in figures -%}
        sum({{ figure }}) as {{ figure }}{{ ',' if not loop.last }}
        {% endfor -%}
    from {{ city_rows }}
    group by cutoff_date{% for key in keys %}, {{ key }}{% endfor %}
{%- endmacro %}

{# A rate of the marts: `part` / `whole` of two counts, rounded half up (四舍五入) to 4
   decimals; null when the whole is 0 (no share to speak of). Province rates are computed
   from the province's sums. The rounding is done in integers: round() of the double
   33 / 160 = 0.20625 (stored as 0.2062499…) gave 0.2062 on DuckDB and 0.2063 on Spark,
   which rounds the decimal text; both now give what a person computes, 0.2063. #}
{% macro rate(part, whole) -%}
    floor(
        (20000 * cast({{ part }} as bigint) + cast({{ whole }} as bigint))
        / (2 * nullif(cast({{ whole }} as bigint), 0))
    ) / 10000
{%- endmacro %}
