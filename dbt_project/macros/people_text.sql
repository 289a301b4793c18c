{# Text normalisation for comparing people (contract §5). Ingestion already folds
   full-width characters, but staging must not depend on that: a registry extract
   or a future reader may not. All macros take a SQL expression and return one. #}

{# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space to their half-width forms.
   DuckDB's translate() with this 94-character map costs ~6 µs a value (3 s per million);
   most values hold no full-width character, so they are checked first (20x faster). #}
{% macro fold_fullwidth(expr) -%}
    case when {{ regexp_contains(expr, '[！-～　]') }} then {{ fold_fullwidth_always(expr) }} else {{ expr }} end
{%- endmacro %}

{% macro fold_fullwidth_always(expr) -%}
    replace(translate({{ expr }}, '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'), '　', ' ')
{%- endmacro %}

{# Names: no whitespace at all, half-width, every minority-name dot written as U+00B7.
   The dots list mirrors terms.NAME_DOTS (after folding, the full-width dot is '.'). #}
{% macro normalize_name(expr) -%}
    nullif(
        translate(
            {{ regexp_replace_all(fold_fullwidth(expr), "'\\s'", "''") }},
            '•・.‧∙⋅',
            '······'
        ),
        ''
    )
{%- endmacro %}

{# Phones: digits only; a leading 86 / 0086 country code is dropped when what is left
   is a mobile (11 digits), so +86 138-0013-8000 and 13800138000 compare equal. #}
{% macro normalize_phone(expr) -%}
    nullif(
        {{ regexp_replace_all(
            regexp_replace_all(fold_fullwidth(expr), "'[^0-9]'", "''"),
            "'^(0086|86)([0-9]{11})$'",
            group_ref(2)
        ) }},
        ''
    )
{%- endmacro %}

{# City codes as written → current code (371200 莱芜 → 370100 济南), from the seed
   ref_city_code_map, which tools/people/seeds.py writes from terms.MERGED_CITY_CODES. #}
{% macro normalize_city_code(expr) -%}
    coalesce(
        (
            select city_code_map.city_code
            from {{ ref('ref_city_code_map') }} as city_code_map
            where city_code_map.city_code_raw = trim({{ fold_fullwidth(expr) }})
        ),
        nullif(trim({{ fold_fullwidth(expr) }}), '')
    )
{%- endmacro %}
