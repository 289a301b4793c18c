{# 统一社会信用代码 (GB 32100-2015), contract §3 and §8. The Python twin is
   python-stdnum's cn.uscc (pipelines/checks/uscc.py); a test holds the two equal. #}

{# Fold full-width, drop whitespace and hyphens (stdnum's compact), upper-case. Empty → null. #}
{% macro clean_uscc(expr) -%}
    nullif(upper({{ regexp_replace_all(fold_fullwidth(expr), "'[\\s-]'", "''") }}), '')
{%- endmacro %}

{# True when a cleaned code has 18 characters, digits at positions 1-8 (registering
   authority, type, region), the code alphabet after (no I, O, S, V, Z) and the right
   check character, exactly as stdnum.cn.uscc.validate: weights
   3^(i-1) mod 31 over the first 17 characters, check = (31 - sum mod 31) mod 31. #}
{% macro uscc_is_valid(cleaned) -%}
    {%- set alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY' -%}
    {%- set weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] -%}
    coalesce(
        {{ regexp_whole_match(cleaned, '[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}') }}
        and substr({{ cleaned }}, 18, 1) = substr('{{ alphabet }}', ((31 - ((
            {%- for w in weights %}
            (instr('{{ alphabet }}', substr({{ cleaned }}, {{ loop.index }}, 1)) - 1) * {{ w }}{% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) % 31)) % 31) + 1, 1),
        false
    )
{%- endmacro %}

{# A credit code that is present and fails the check (the row still loads). #}
{% macro uscc_is_invalid(cleaned) -%}
    ({{ cleaned }} is not null and not {{ uscc_is_valid(cleaned) }})
{%- endmacro %}

{# A 统一社会信用代码 column of a staging model: the compacted code under its own name and
   is_<column>_invalid, whether a code is present and fails GB 32100 (the row loads). #}
{% macro uscc_columns(column, relation_alias='source') -%}
    {{ clean_uscc(relation_alias ~ '.' ~ column) }} as {{ column }},
    {{ uscc_is_invalid(clean_uscc(relation_alias ~ '.' ~ column)) }} as is_{{ column }}_invalid
{%- endmacro %}
