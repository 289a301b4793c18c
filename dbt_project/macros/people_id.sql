{# Chinese resident ID numbers (GB 11643), contract §5. Each macro takes a SQL
   expression and returns one, so every staging model normalises IDs the same way. #}

{# Trim, fold full-width, drop inner whitespace, upper-case (x → X). Empty → null. #}
{% macro clean_id_text(expr) -%}
    nullif(upper({{ regexp_replace_all(fold_fullwidth(expr), "'\\s'", "''") }}), '')
{%- endmacro %}

{# ISO 7064 MOD 11-2 check character of the first 17 digits of `expr`.
   Weights 2^(17-i) mod 11 for positions 1..17; remainder r → '10X98765432'[r]. #}
{% macro id_check_char(expr) -%}
    {%- set weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] -%}
    substr(
        '10X98765432',
        ((
            {%- for w in weights %}
            {{ dbt.safe_cast("substr(" ~ expr ~ ", " ~ loop.index ~ ", 1)", api.Column.translate_type("integer")) }} * {{ w }}{% if not loop.last %} +{% endif %}
            {%- endfor %}
        ) % 11) + 1,
        1
    )
{%- endmacro %}

{# A cleaned ID (clean_id_text) → the 18-character form, or null when it has neither
   shape. 15-digit IDs (issued before 1999) get '19' after the region code and a
   computed check character. An 18-character ID with a wrong check character is kept
   as written: it is invalid (id_is_valid) but its text is still useful for operators. #}
{% macro normalize_id_number(cleaned) -%}
    case
        when {{ regexp_whole_match(cleaned, '[0-9]{17}[0-9X]') }} then {{ cleaned }}
        when {{ regexp_whole_match(cleaned, '[0-9]{15}') }} then
            {%- set id17 = "(substr(" ~ cleaned ~ ", 1, 6) || '19' || substr(" ~ cleaned ~ ", 7, 9))" %}
            {{ id17 }} || {{ id_check_char(id17) }}
    end
{%- endmacro %}

{# Birth date from digits 7..14 of a normalised ID; null when not a calendar date. #}
{% macro id_birth_date(id_number) -%}
    {{ try_date_yyyymmdd('substr(' ~ id_number ~ ', 7, 8)') }}
{%- endmacro %}

{# Validity (contract §5): 18 characters, correct check character, a real birth date
   not in the future. "Future" is judged against `reference_date` — the campaign end
   (stg_campaign.campaign_end) — not current_date, so the same inputs always give the
   same people, and one ID is valid or invalid in every table alike. Birth years before
   1900 are not real for anyone alive in a campaign either. #}
{% macro id_is_valid(id_number, reference_date) -%}
    coalesce(
        length({{ id_number }}) = 18
        and substr({{ id_number }}, 18, 1) = {{ id_check_char(id_number) }}
        and {{ id_birth_date(id_number) }} >= date '1900-01-01'
        and {{ id_birth_date(id_number) }} <= {{ reference_date }},
        false
    )
{%- endmacro %}

{# Gender from the 17th digit: odd = 男, even = 女. #}
{% macro id_gender(id_number) -%}
    case
        when {{ dbt.safe_cast("substr(" ~ id_number ~ ", 17, 1)", api.Column.translate_type("integer")) }} % 2 = 1 then {{ term('MALE') }}
        when {{ dbt.safe_cast("substr(" ~ id_number ~ ", 17, 1)", api.Column.translate_type("integer")) }} % 2 = 0 then {{ term('FEMALE') }}
    end
{%- endmacro %}

{# Keyed pseudonym of a person: hex HMAC-SHA256(secret, person_id) (contract §11, RFC 2104):
   sha256(outer pad || unhex(sha256(inner pad || id))). The pads are the secret XOR-ed with
   0x36 / 0x5c, computed in Python (pipelines/person_key.py) because SQL shares no XOR on
   bytes between engines. They reach the engine at run time (`person_key_pad`), never as
   text of the SQL: dbt writes compiled SQL, its manifest and its logs to disk. #}
{% macro person_key(person_id) -%}
    {%- set inner_hash = sha256_hex(hex_bytes(person_key_pad("inner")) ~ " || " ~ utf8_bytes(person_id)) %}
    {{ sha256_hex(hex_bytes(person_key_pad("outer")) ~ " || " ~ hex_bytes(inner_hash)) }}
{%- endmacro %}
