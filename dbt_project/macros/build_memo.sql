{#-
  Unchanged models are not rebuilt (DuckDB only; docs/decisions.md, "Early cutoff").

  Every table model is keyed by what decides its rows: its compiled SQL, its
  configuration, dbt's and DuckDB's versions, the person_key pads, and a fingerprint of
  each relation it reads. The key and a fingerprint of the table built are kept in
  main.warmheart_build_memo_v<version>. A model whose key is the one its table was built with keeps
  its table instead of being built again.

  A model that is rebuilt gets a fresh fingerprint of its output. When that fingerprint
  is the one it had (a corrected visits file changes which files are current, but not
  one row of the ledger entries), the models reading it find their keys unchanged and are
  not rebuilt either. A rerun with nothing new rebuilds nothing.

  Fingerprints are taken as multisets (row count, sum and xor of DuckDB's row hash, and the
  columns with their types): the models are SQL, whose results do not depend on the
  order of the rows they read.

  Only tables are fingerprinted: a model reading a view is built every time (the project
  has one view, int_person_links, which no model reads).

  Before dbt compiles a node, pipelines/dbt_node_memo.py keeps a model, or answers a data
  test from its stored result, when the node's definition and the fingerprints recorded
  here of what it reads are those it was last built or run with; otherwise the node runs
  and this macro decides as above.

  `dbt build --full-refresh`, or WARMHEART_DBT_MEMO=0 in dbt's environment, builds every
  model (keys are still recorded). A model whose key cannot be computed (a relation it
  reads was never fingerprinted) is always built.

  A model's row is deleted in the transaction that swaps its table in, and written again
  once the new table is committed: a crash in between leaves no row (the model is built
  again next time), never a row that describes another table.

  A model that must be rebuilt may rewrite only part of its table, when configured so:
  `stage_by_file` (a staging model: the rows of changed raw files), `rewrite_parts_by`
  (the parts, e.g. (cut-off, city), whose rows changed), and with it `parts_follow` (only
  the parts its followed inputs changed are computed) or `cutoffs_from_list` (only the
  cut-offs whose current list files changed are computed). What each keeps to know what
  changed is written in the transaction that changes the table; when it is missing or
  does not match, the model is built whole (docs/decisions.md, "A corrected ledger").
-#}

{#- Bump when the rules above or the memo's columns change: a new memo table, every model
    built once. -#}
{% macro build_memo_version() %}1{% endmacro %}

{% macro build_memo_relation() -%}
    main.warmheart_build_memo_v{{ build_memo_version() }}
{%- endmacro %}

{#- The raw files each `stage_by_file` model holds the rows of, with their fingerprints. -#}
{% macro build_memo_files_relation() -%}
    main.warmheart_staged_files_v{{ build_memo_version() }}
{%- endmacro %}

{% macro build_memo_enabled() %}
    {{ return(not flags.FULL_REFRESH and env_var('WARMHEART_DBT_MEMO', '1') != '0') }}
{% endmacro %}

{#- The fingerprint of `relation`'s content, as one SQL text expression. -#}
{% macro build_memo_fingerprint_sql(relation) -%}
    (
        select
            {{ build_memo_rows_fingerprint() }}
            || ':' || {{ build_memo_columns_fingerprint(relation) }}
        from {{ relation }} as t
    )
{%- endmacro %}

{% macro build_memo_columns_fingerprint(relation) -%}
    (
        select md5(string_agg(column_name || ' ' || data_type, ',' order by column_index))
        from duckdb_columns()
        where database_name = '{{ relation.database }}'
            and schema_name = '{{ relation.schema }}'
            and table_name = '{{ relation.identifier }}'
    )
{%- endmacro %}

{#- The same fingerprint as build_memo_fingerprint_sql, added up from the fingerprints of
    the table's parts (`parts`, rows n, s, x as build_memo_parts_fingerprints makes them):
    counts and hash sums add up, xors xor. -#}
{% macro build_memo_fingerprint_from_parts_sql(relation, parts) -%}
    (
        select
            coalesce(sum(n), 0)::varchar
            || ':' || coalesce(sum(s)::varchar, '')
            || ':' || coalesce(bit_xor(x)::varchar, '')
            || ':' || {{ build_memo_columns_fingerprint(relation) }}
        from {{ parts }}
    )
{%- endmacro %}

{#- Each part's row count, hash sum and hash xor (the multiset fingerprint, by part). -#}
{% macro build_memo_parts_fingerprints(relation, parts_by) -%}
    select {{ parts_by | join(', ') }}, count(*) as n, sum(hash(t)) as s, bit_xor(hash(t)) as x
    from {{ relation }} as t
    group by {{ parts_by | join(', ') }}
{%- endmacro %}

{#- After a whole build of a `rewrite_parts_by` model: its parts' fingerprints, for the
    next rewrite to compare with. False, recording nothing, when the table lacks a part
    column. -#}
{% macro build_memo_parts_recorded(parts_by) %}
    {% set present = run_query(
        "select count(*) from duckdb_columns() where database_name = '" ~ this.database
        ~ "' and schema_name = '" ~ this.schema ~ "' and table_name = '" ~ this.identifier
        ~ "' and column_name in ('" ~ parts_by | join("', '") ~ "')"
    ).rows[0][0] %}
    {% if present != parts_by | length %}{{ return(false) }}{% endif %}
    {% call statement('build_memo_record_parts') %}
        create or replace table {{ build_memo_parts_relation() }} as
        {{ build_memo_parts_fingerprints(this, parts_by) }}
    {% endcall %}
    {% do adapter.commit() %}
    {{ return(true) }}
{% endmacro %}

{#- Where a `rewrite_parts_by` model (this one, or the one named) keeps the fingerprints
    of its table's parts. -#}
{% macro build_memo_parts_relation(name=none) -%}
    main.warmheart_parts_v{{ build_memo_version() }}__{{ name or model.name }}
{%- endmacro %}

{% macro build_memo_save(node_id, output_fp_sql, key=none) %}
    {% do build_memo_save_all([(node_id, output_fp_sql, key)]) %}
{% endmacro %}

{#- Each (node_id, output fingerprint SQL, key or none) of `saves`, in one statement: the
    on-run-start hook saves every source at once (a statement each cost dbt more than
    most of the hashes). -#}
{% macro build_memo_save_all(saves) %}
    {%- call statement('build_memo_save') -%}
        delete from {{ build_memo_relation() }} where node_id in (
            {%- for node_id, _fp, _key in saves %}'{{ node_id }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        );
        insert into {{ build_memo_relation() }}
        {% for node_id, output_fp_sql, key in saves -%}
        select '{{ node_id }}', {{ "'" ~ key ~ "'" if key else 'null' }}::varchar, ({{ output_fp_sql }})::varchar
        {% if not loop.last %}union all{% endif %}
        {% endfor %}
    {%- endcall -%}
    {% do adapter.commit() %}
{% endmacro %}

{#- on-run-start: the memo table, and the fingerprints of the raw sources, read now. -#}
{% macro build_memo_start() %}
    {% if target.type != 'duckdb' or not execute %}{{ return('') }}{% endif %}
    {% call statement('build_memo_create') %}
        create table if not exists {{ build_memo_relation() }} (
            node_id varchar, input_key varchar, output_fp varchar
        );
        create table if not exists {{ build_memo_files_relation() }} (
            node_id varchar, context_key varchar, file_sha256 varchar, file_path varchar, fp varchar
        );
        create table if not exists {{ build_memo_inputs_relation() }} (
            node_id varchar, parent_id varchar, fp varchar
        );
        create table if not exists {{ build_memo_cutoff_inputs_relation() }} (
            node_id varchar, cutoff_date date, fp varchar
        )
    {% endcall %}
    {% set saves = [] %}
    {% for node in graph.sources.values() %}
        {% set relation = adapter.get_relation(node.database, node.schema, node.identifier) %}
        {% set fp = build_memo_fingerprint_sql(relation) if relation is not none else 'null' %}
        {% do saves.append((node.unique_id, fp, none)) %}
    {% endfor %}
    {% if saves %}{% do build_memo_save_all(saves) %}{% endif %}
    {{ return('') }}
{% endmacro %}

{#- (the model's key, or none when a relation it reads has no fingerprint; the key its
    table was built with, or none; the key without its sources, or none; the key without
    any parent). Seeds, a few rows each, are fingerprinted as they are now: `dbt run` does
    not load them, so their files may be ahead of their tables. -#}
{% macro build_memo_lookup(node) %}
    {% set parents = [] %}
    {% set seeds = [] %}
    {% for parent_id in node.depends_on.nodes | unique %}
        {% if parent_id.startswith('seed.') %}
            {% set seed = graph.nodes[parent_id] %}
            {% set relation = adapter.get_relation(seed.database, seed.schema, seed.alias) %}
            {% if relation is none %}{{ return([none, none, none, none]) }}{% endif %}
            {% do seeds.append(build_memo_fingerprint_sql(relation)) %}
        {% else %}
            {% do parents.append(parent_id) %}
        {% endif %}
    {% endfor %}
    {% set code = local_md5(
        build_memo_version() ~ '|' ~ dbt_version ~ '|' ~ tojson(node.config) ~ '|' ~ node.compiled_code
    ) %}
    {#- The three keys share their parts, in this order: the node's SQL and settings
        (`head`), its parents' fingerprints (all, or all but the sources), its seeds'. -#}
    {% set head -%}
        '{{ code }}'
        || '|' || version()
        || '|' || coalesce({{ person_key_pad('inner') }}, '')
        || '|' || coalesce({{ person_key_pad('outer') }}, '')
    {%- endset %}
    {% set seeds_tail -%}
        {%- for fp in seeds %}
        || '|' || {{ fp }}
        {%- endfor %}
    {%- endset %}
    {% set fingerprints = "string_agg(node_id || '=' || output_fp, ',' order by node_id)" %}
    {% set query %}
        with parents as (
            select case when count(*) = {{ parents | length }} then sha256(
                {{ head }}
                || '|' || coalesce({{ fingerprints }}, '')
                {{ seeds_tail }}
            ) end as input_key,
            {#- The key without the sources' fingerprints: what decides the rows a
                `stage_by_file` model makes of one raw file (build_memo_stage_files). -#}
            case when count(*) = {{ parents | length }} then sha256(
                {{ head }}
                || '|' || coalesce({{ fingerprints }}
                    filter (where not starts_with(node_id, 'source.')), '')
                {{ seeds_tail }}
            ) end as context_key,
            {#- Without any parent: what a `parts_follow` model's SQL and settings are. -#}
            sha256({{ head }} {{ seeds_tail }}) as code_key
            from {{ build_memo_relation() }}
            where output_fp is not null
                and node_id in ('{{ parents | join("', '") }}')
        )
        select
            parents.input_key,
            (select max(input_key) from {{ build_memo_relation() }} where node_id = '{{ node.unique_id }}'),
            parents.context_key,
            parents.code_key
        from parents
    {% endset %}
    {{ return(run_query(query).rows[0]) }}
{% endmacro %}

{% materialization table, adapter='duckdb', supported_languages=['sql'] %}
    {% set key, built_with, context_key, code_key = build_memo_lookup(model) %}
    {% if build_memo_enabled() and key and key == built_with and load_cached_relation(this) is not none %}
        {{ log('build memo: ' ~ model.name ~ ' has the inputs it was built from; kept', info=true) }}
        {% call statement('main') %}select 'kept: inputs unchanged' as warmheart_build_memo{% endcall %}
        {{ return({'relations': [this.incorporate(type='table')]}) }}
    {% endif %}
    {#- In the transaction the table materialization commits its new table with. -#}
    {% set parts_by = config.get('rewrite_parts_by') %}
    {% set follows = config.get('parts_follow') or [] %}
    {% set lists = config.get('cutoffs_from_list') %}
    {% set old_fp = build_memo_output_fp() if parts_by else none %}
    {% call statement('build_memo_forget') %}
        delete from {{ build_memo_relation() }} where node_id = '{{ model.unique_id }}'
    {% endcall %}
    {% set by_file = config.get('stage_by_file') %}
    {% set result = none %}
    {% set via_parts = false %}
    {% set built_before = build_memo_enabled() and built_with and load_cached_relation(this) is not none %}
    {% if by_file and built_before and context_key %}
        {% set result = build_memo_stage_files(context_key) %}
    {% elif parts_by and built_before %}
        {% if lists %}
            {% set pruned_sql = code_key and build_memo_dirty_cutoffs(lists, code_key) %}
            {% set pruned = pruned_sql is string %}
        {% else %}
            {% set pruned_sql = none %}
            {% set pruned = follows and code_key and build_memo_dirty_parts(parts_by, follows, code_key) %}
        {% endif %}
        {% set result = build_memo_rewrite_parts(parts_by, pruned, follows, old_fp, code_key, pruned_sql if pruned_sql is string else none) %}
        {% set via_parts = result is not none %}
    {% endif %}
    {% set rewrote = via_parts %}
    {% set output_fp = build_memo_fingerprint_sql(this) %}
    {% if result is none %}
        {% if parts_by %}
            {#- The parts' fingerprints describe the table they were taken of: dropped in
                the transaction that swaps in the new one. -#}
            {% call statement('build_memo_drop_parts') %}
                drop table if exists {{ build_memo_parts_relation() }};
                drop table if exists {{ build_memo_changes_relation() }};
                {% if follows or lists %}{{ build_memo_record_inputs_sql(code_key) }}{% endif %}
                {% if lists %}{{ build_memo_record_cutoff_inputs_sql(lists) }}{% endif %}
            {% endcall %}
        {% endif %}
        {% set result = dbt.materialization_table_duckdb() %}
        {% if by_file %}{% do build_memo_record_files(context_key) %}{% endif %}
        {% if parts_by and build_memo_parts_recorded(parts_by) %}
            {% set via_parts = true %}
        {% endif %}
    {% endif %}
    {% if via_parts %}
        {#- Added up from the parts' fingerprints just stored: no other pass over the table. -#}
        {% set output_fp = build_memo_fingerprint_from_parts_sql(this, build_memo_parts_relation()) %}
    {% endif %}
    {% do build_memo_save(model.unique_id, output_fp, key) %}
    {% if rewrote %}
        {#- The changed parts now lead to the fingerprint just saved: readers may use them. -#}
        {% call statement('build_memo_changes_to') %}
            update {{ build_memo_changes_relation() }}
            set to_fp = ({{ build_memo_output_fp_sql(model.unique_id) }})
        {% endcall %}
        {% do adapter.commit() %}
    {% endif %}
    {{ return(result) }}
{% endmaterialization %}

{#- A seed's fingerprint is recorded each time it is loaded, for the tests that read it
    (pipelines/dbt_node_memo.py); models fingerprint their seeds themselves (above). -#}
{% materialization seed, adapter='duckdb' %}
    {% set result = dbt.materialization_seed_default() %}
    {% do build_memo_save(model.unique_id, build_memo_fingerprint_sql(this)) %}
    {{ return(result) }}
{% endmaterialization %}

{#- A model configured with `rewrite_parts_by` (columns, such as cut-off and city) whose
    table was built before computes its rows into a temporary table, and rewrites in its
    table only the parts (rows sharing those columns' values) whose fingerprint changed.
    Writing a persistent table costs DuckDB more than computing it (it compresses every
    column), and a city's correction changes that city's rows: a visits correction at
    20,000 persons per city rewrote 2.8 M rows of 问题反馈 items for one part of 96.
    The table then holds the same rows as a full build, in another physical order, which
    no SQL result depends on. Returns none, having changed nothing, when the new rows'
    columns are not the table's (the model changed) or lack the part columns: the caller
    builds it whole. -#}
{% macro build_memo_rewrite_parts(parts_by, pruned=false, follows=[], old_fp=none, code_key=none, pruned_sql=none) %}
    {% set new_rows = 'temp.main.warmheart_new_rows' %}
    {% set changed = 'temp.main.warmheart_changed_parts' %}
    {% set dirty = 'temp.main.warmheart_dirty_parts' %}
    {% set same_part = build_memo_same_part(parts_by, 'c', 't') %}
    {% call statement('build_memo_new_rows') %}
        create or replace temp table warmheart_new_rows as (
            {{ (pruned_sql or build_memo_pruned_sql(parts_by, follows)) if pruned else compiled_code }}
        )
    {% endcall %}
    {% set signature -%}
        string_agg(column_name || ' ' || data_type, ',' order by column_index)
    {%- endset %}
    {% set same_columns = run_query(
        "select (select " ~ signature ~ " from duckdb_columns() where database_name = 'temp'"
        ~ " and table_name = 'warmheart_new_rows') = (select " ~ signature
        ~ " from duckdb_columns() where database_name = '" ~ this.database ~ "' and schema_name = '"
        ~ this.schema ~ "' and table_name = '" ~ this.identifier ~ "')"
        ~ " and (select count(*) from duckdb_columns() where database_name = 'temp'"
        ~ " and table_name = 'warmheart_new_rows' and column_name in ('" ~ parts_by | join("', '") ~ "'))"
        ~ " = " ~ parts_by | length
    ).rows[0][0] %}
    {#- A model without the part columns is built whole, as is one whose columns changed. -#}
    {% if not same_columns %}
        {% call statement('build_memo_drop_new_rows') %}drop table {{ new_rows }}{% endcall %}
        {{ return(none) }}
    {% endif %}
    {% if pruned %}
        {#- The declaration checked: every row computed from the dirty parts lies in them. -#}
        {% set strays = run_query(
            "select count(*) from " ~ new_rows ~ " as t where not exists (select 1 from " ~ dirty
            ~ " as c where " ~ same_part ~ ")").rows[0][0] %}
        {% if strays > 0 %}
            {{ log('build memo: ' ~ model.name ~ ' computed ' ~ strays ~ ' rows outside the parts its inputs changed in (parts_follow does not hold); built whole', info=true) }}
            {% call statement('build_memo_drop_new_rows') %}drop table {{ new_rows }}{% endcall %}
            {{ return(none) }}
        {% endif %}
    {% endif %}
    {% set parts = build_memo_parts_relation() %}
    {#- The old table's parts: as stored when it was last rewritten, or taken of it now. -#}
    {% set stored = build_memo_table_exists(parts) %}
    {% call statement('build_memo_changed_parts') %}
        create or replace temp table warmheart_new_parts as
        {{ build_memo_parts_fingerprints(new_rows, parts_by) }};
        create or replace temp table warmheart_changed_parts as
        with old_parts as (
            {% if stored %}select * from {{ parts }}{% else %}{{ build_memo_parts_fingerprints(this, parts_by) }}{% endif %}
        ),
        {#- Pruned: only the dirty parts were computed; the others are as they were. -#}
        old_parts_compared as (
            select * from old_parts as t
            {% if pruned %}where exists (select 1 from {{ dirty }} as c where {{ same_part }}){% endif %}
        )
        select
            {% for column in parts_by %}coalesce(c.{{ column }}, t.{{ column }}) as {{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
        from temp.main.warmheart_new_parts as c
        full join old_parts_compared as t on {{ same_part }}
        where c.n is distinct from t.n or c.s is distinct from t.s or c.x is distinct from t.x
    {% endcall %}
    {% call statement('main') %}
        delete from {{ this }} as t where exists (select 1 from {{ changed }} as c where {{ same_part }});
        insert into {{ this }}
        select * from {{ new_rows }} as t where exists (select 1 from {{ changed }} as c where {{ same_part }});
        {% if pruned %}
        delete from {{ parts }} as t where exists (select 1 from {{ dirty }} as c where {{ same_part }});
        insert into {{ parts }} select * from temp.main.warmheart_new_parts;
        {% else %}
        create or replace table {{ parts }} as select * from temp.main.warmheart_new_parts;
        {% endif %}
        {#- For the models that follow this one's parts: which parts changed, from which
            fingerprint (to_fp, once saved: in the materialization). -#}
        create or replace table {{ build_memo_changes_relation() }} as
        select {{ parts_by | join(', ') }},
            {{ "'" ~ old_fp ~ "'" if old_fp else 'null' }}::varchar as from_fp,
            null::varchar as to_fp
        from {{ changed }};
        {% set lists = config.get('cutoffs_from_list') %}
        {% if follows or lists %}{{ build_memo_record_inputs_sql(code_key) }}{% endif %}
        {% if lists %}{{ build_memo_record_cutoff_inputs_sql(lists) }}{% endif %}
    {% endcall %}
    {% set counts = run_query("select count(*) from " ~ changed).rows[0] %}
    {% do adapter.commit() %}
    {% call statement('build_memo_drop_temp_parts') %}drop table {{ new_rows }}; drop table {{ changed }}; drop table temp.main.warmheart_new_parts{% if pruned %}; drop table {{ dirty }}{% endif %}{% if pruned_sql %}; drop table temp.main.warmheart_dirty_cutoffs{% endif %}{% endcall %}
    {% if pruned_sql %}
        {{ log('build memo: ' ~ model.name ~ ' computed only the cut-offs whose current ' ~ config.get('cutoffs_from_list') ~ ' files changed', info=true) }}
    {% elif pruned %}
        {{ log('build memo: ' ~ model.name ~ ' computed only the parts its inputs changed in (' ~ follows | join(', ') ~ ')', info=true) }}
    {% endif %}
    {{ log('build memo: ' ~ model.name ~ ' rewrote the rows of ' ~ counts[0] ~ ' changed parts (by ' ~ parts_by | join(', ') ~ ')', info=true) }}
    {{ return({'relations': [this.incorporate(type='table')]}) }}
{% endmacro %}

{#- The rows of `t` (a table, or a group of its rows) as text: a multiset fingerprint. -#}
{% macro build_memo_rows_fingerprint() -%}
    count(*)::varchar
    || ':' || coalesce(sum(hash(t))::varchar, '')
    || ':' || coalesce(bit_xor(hash(t))::varchar, '')
{%- endmacro %}

{#- A staging model configured with `stage_by_file` makes each raw row into one row of
    its own, whatever the other rows are (stg_ledger, stg_visits, ...). When only its raw
    source changed since its table was built (`context_key`, its key without the sources,
    is the one its rows were made with), only the files whose rows changed are staged
    again: their old rows are deleted, the rows of new or changed files are made by the
    model's own SQL reading just those files, and the rows of every other file stay.
    A corrected ledger at 20,000 persons per city staged one file of 97 instead of
    1.4 M rows. The table holds the same rows as a full build, in another physical order.
    Returns none, having changed nothing, when the model does not read exactly one source
    exactly once: the caller builds it whole. -#}
{% macro build_memo_stage_files(context_key) %}
    {% set source = build_memo_staged_source() %}
    {% if source is none %}{{ return(none) }}{% endif %}
    {% set stored = run_query(
        "select count(*), count(*) filter (where context_key = '" ~ context_key ~ "')"
        ~ " from " ~ build_memo_files_relation() ~ " where node_id = '" ~ model.unique_id ~ "'"
    ).rows[0] %}
    {% if stored[0] == 0 or stored[0] != stored[1] %}{{ return(none) }}{% endif %}
    {% call statement('build_memo_changed_files') %}
        create or replace temp table warmheart_changed_files as
        with now as (
            select t._file_sha256 as file_sha256, t._file_path as file_path,
                {{ build_memo_rows_fingerprint() }} as fp
            from {{ source }} as t group by all
        ),
        before as (
            select file_sha256, file_path, fp from {{ build_memo_files_relation() }}
            where node_id = '{{ model.unique_id }}'
        )
        select
            coalesce(now.file_sha256, before.file_sha256) as file_sha256,
            coalesce(now.file_path, before.file_path) as file_path,
            now.fp
        from now
        full join before
            on now.file_sha256 = before.file_sha256 and now.file_path = before.file_path
        where now.fp is distinct from before.fp
    {% endcall %}
    {% set changed = 'temp.main.warmheart_changed_files' %}
    {% set only_changed -%}
        (select * from {{ source }} as s where exists (
            select 1 from {{ changed }} as c
            where c.file_sha256 = s._file_sha256 and c.file_path = s._file_path
        ))
    {%- endset %}
    {% call statement('main') %}
        delete from {{ this }} as t
        where exists (
            select 1 from {{ changed }} as c
            where c.file_sha256 = t.file_sha256 and c.file_path = t.file_path
        );
        insert into {{ this }} {{ compiled_code | replace(source | string, only_changed) }};
        delete from {{ build_memo_files_relation() }} as t
        where node_id = '{{ model.unique_id }}' and exists (
            select 1 from {{ changed }} as c
            where c.file_sha256 = t.file_sha256 and c.file_path = t.file_path
        );
        insert into {{ build_memo_files_relation() }}
        select '{{ model.unique_id }}', '{{ context_key }}', file_sha256, file_path, fp
        from {{ changed }} where fp is not null
    {% endcall %}
    {% set counts = run_query("select count(*) from " ~ changed).rows[0] %}
    {% do adapter.commit() %}
    {% call statement('build_memo_drop_files') %}drop table {{ changed }}{% endcall %}
    {{ log('build memo: ' ~ model.name ~ ' staged the rows of ' ~ counts[0] ~ ' changed files', info=true) }}
    {{ return({'relations': [this.incorporate(type='table')]}) }}
{% endmacro %}

{#- After a whole build of a `stage_by_file` model: the fingerprint of each file its rows
    came from, with the key they were made with. -#}
{% macro build_memo_record_files(context_key) %}
    {% set source = build_memo_staged_source() %}
    {% call statement('build_memo_record_files') %}
        delete from {{ build_memo_files_relation() }} where node_id = '{{ model.unique_id }}';
        {%- if source is not none and context_key %}
        insert into {{ build_memo_files_relation() }}
        select '{{ model.unique_id }}', '{{ context_key }}', t._file_sha256, t._file_path,
            {{ build_memo_rows_fingerprint() }}
        from {{ source }} as t group by all
        {%- endif %}
    {% endcall %}
    {% do adapter.commit() %}
{% endmacro %}

{#- The one source relation the model reads, when its SQL names it exactly once. -#}
{% macro build_memo_staged_source() %}
    {% set sources = [] %}
    {% for node_id in model.depends_on.nodes | unique if node_id.startswith('source.') %}
        {% do sources.append(node_id) %}
    {% endfor %}
    {% if sources | length != 1 %}{{ return(none) }}{% endif %}
    {% set node = graph.sources[sources[0]] %}
    {% set relation = adapter.get_relation(node.database, node.schema, node.identifier) %}
    {% if relation is none or compiled_code.count(relation | string) != 1 %}{{ return(none) }}{% endif %}
    {{ return(relation) }}
{% endmacro %}

{#- Whether the memo's table `relation` (main.<name>) exists now. Asked of DuckDB, not of
    dbt's relation cache, which does not see tables made by the memo's own statements. -#}
{% macro build_memo_table_exists(relation) %}
    {{ return(run_query(
        "select count(*) from duckdb_tables() where database_name = '" ~ this.database
        ~ "' and schema_name = 'main' and table_name = '" ~ relation.split('.')[-1] ~ "'"
    ).rows[0][0] > 0) }}
{% endmacro %}

{#- `a.c is not distinct from b.c and ...` over the part columns. -#}
{% macro build_memo_same_part(parts_by, a, b) -%}
    {% for column in parts_by %}{{ a }}.{{ column }} is not distinct from {{ b }}.{{ column }}{% if not loop.last %} and {% endif %}{% endfor %}
{%- endmacro %}

{#- The changed parts of a `rewrite_parts_by` model's last rewrite (for the models that
    follow its parts), and the fingerprints of each `parts_follow` model's parents when
    its table was last changed. -#}
{% macro build_memo_changes_relation(name=none) -%}
    main.warmheart_changes_v{{ build_memo_version() }}__{{ name or model.name }}
{%- endmacro %}

{% macro build_memo_inputs_relation() -%}
    main.warmheart_inputs_v{{ build_memo_version() }}
{%- endmacro %}

{% macro build_memo_output_fp_sql(node_id) -%}
    select max(output_fp) from {{ build_memo_relation() }} where node_id = '{{ node_id }}'
{%- endmacro %}

{#- The model's fingerprint as the memo has it now (before the model is built again). -#}
{% macro build_memo_output_fp() %}
    {{ return(run_query(build_memo_output_fp_sql(model.unique_id)).rows[0][0]) }}
{% endmacro %}

{#- SQL (statements) recording the model's parents' fingerprints now, and its code key:
    run in the transaction that changes its table. -#}
{% macro build_memo_record_inputs_sql(code_key) -%}
    delete from {{ build_memo_inputs_relation() }} where node_id = '{{ model.unique_id }}';
    insert into {{ build_memo_inputs_relation() }}
    select '{{ model.unique_id }}', node_id, output_fp from {{ build_memo_relation() }}
    where node_id in ('{{ build_memo_parents() | join("', '") }}');
    insert into {{ build_memo_inputs_relation() }}
    values ('{{ model.unique_id }}', 'code', {{ "'" ~ code_key ~ "'" if code_key else 'null' }});
{%- endmacro %}

{% macro build_memo_parents() %}
    {% set parents = [] %}
    {% for node_id in model.depends_on.nodes | unique if not node_id.startswith('seed.') %}
        {% do parents.append(node_id) %}
    {% endfor %}
    {{ return(parents) }}
{% endmacro %}

{#- The fingerprints of the model's parents now, and as recorded when its table last
    changed (build_memo_record_inputs_sql): [now, before], each {node_id: fp}; none when
    its SQL or settings changed since (the code key). For the models that compute only
    what changed (`parts_follow`, `cutoffs_from_list`). -#}
{% macro build_memo_parent_fingerprints(code_key) %}
    {% set now = {} %}
    {% for row in run_query("select node_id, output_fp from " ~ build_memo_relation()
        ~ " where node_id in ('" ~ build_memo_parents() | join("', '") ~ "')").rows %}
        {% do now.update({row[0]: row[1]}) %}
    {% endfor %}
    {% set before = {} %}
    {% for row in run_query("select parent_id, fp from " ~ build_memo_inputs_relation()
        ~ " where node_id = '" ~ model.unique_id ~ "'").rows %}
        {% do before.update({row[0]: row[1]}) %}
    {% endfor %}
    {% if before.get('code') != code_key %}{{ return(none) }}{% endif %}
    {{ return([now, before]) }}
{% endmacro %}

{#- A model configured with `parts_follow` (names of the models it reads that have its
    `rewrite_parts_by` columns) declares that the rows of each of its parts are made from
    the same part of those models and from anything of the others. When its SQL and
    settings are unchanged since its table was last changed (the code key) and the only
    parents that changed since are followed ones whose last rewrite went from the
    fingerprint this model was built with to the one they have now, it computes only the
    parts those rewrites changed (temp table warmheart_dirty_parts; returns true).
    Anything else: false, and the model computes every part. -#}
{% macro build_memo_dirty_parts(parts_by, follows, code_key) %}
    {% if not build_memo_table_exists(build_memo_parts_relation()) %}{{ return(false) }}{% endif %}
    {% set fingerprints = build_memo_parent_fingerprints(code_key) %}
    {% if fingerprints is none %}{{ return(false) }}{% endif %}
    {% set now, before = fingerprints %}
    {% set parents = build_memo_parents() %}
    {% set selects = [] %}
    {% for parent_id in parents if now.get(parent_id) != before.get(parent_id) %}
        {% set parent = graph.nodes.get(parent_id) %}
        {% if parent is none or parent.name not in follows
            or parent.config.get('rewrite_parts_by') != parts_by %}
            {{ return(false) }}
        {% endif %}
        {% set changes = build_memo_changes_relation(parent.name) %}
        {% if not build_memo_table_exists(changes) %}{{ return(false) }}{% endif %}
        {% set fit = run_query(
            "select count(*), count(*) filter (where from_fp = '" ~ before.get(parent_id)
            ~ "' and to_fp = '" ~ now.get(parent_id) ~ "') from " ~ changes).rows[0] %}
        {% if fit[0] == 0 or fit[0] != fit[1] %}{{ return(false) }}{% endif %}
        {% do selects.append("select " ~ parts_by | join(', ') ~ " from " ~ changes) %}
    {% endfor %}
    {% if not selects %}{{ return(false) }}{% endif %}
    {% call statement('build_memo_dirty_parts') %}
        create or replace temp table warmheart_dirty_parts as
        {{ selects | join(' union ') }}
    {% endcall %}
    {{ return(true) }}
{% endmacro %}

{#- The model's SQL reading, of each followed model, only the dirty parts. -#}
{% macro build_memo_pruned_sql(parts_by, follows) %}
    {% set sql = namespace(text=compiled_code) %}
    {% for parent_id in build_memo_parents() %}
        {% set parent = graph.nodes.get(parent_id) %}
        {% if parent is not none and parent.name in follows %}
            {% set relation = adapter.get_relation(parent.database, parent.schema, parent.alias) %}
            {% set only_dirty -%}
                (select * from {{ relation }} as warmheart_part where exists (
                    select 1 from temp.main.warmheart_dirty_parts as d
                    where {{ build_memo_same_part(parts_by, 'd', 'warmheart_part') }}
                ))
            {%- endset %}
            {% set sql.text = sql.text | replace(relation | string, only_dirty) %}
        {% endif %}
    {% endfor %}
    {{ return(sql.text) }}
{% endmacro %}

{#- A model configured with `cutoffs_from_list` (a list table type, e.g. 'ledger') and
    `rewrite_parts_by` (cut-off, city) declares that its rows at a cut-off T are made from
    the list files current at T (macro current_list_files), their staged rows
    (stg_<list>) and their person links (int_person_links__<list>), and from nothing else
    that changes between its builds (its other inputs must be unchanged). A corrected
    ledger changes the files current at one cut-off, sometimes the links of files current
    at others (a name and phone now match someone else), never the rest: the model then
    computes only the cut-offs whose inputs changed, every city of them (ownership is
    decided across cities), instead of the six.
    Each cut-off's inputs are fingerprinted from what the memo already keeps: which files
    are current for each city (with their receipt time and carried-forward columns), each
    file's staged-rows record (its raw rows' fingerprint and the staging key) and its link
    part's fingerprint. They are recorded (main.warmheart_cutoff_inputs_v1) in the
    transaction that changes the table. Returns the model's SQL reading only the dirty
    cut-offs (temp table warmheart_dirty_parts holds their parts), or false: built whole
    when the SQL or settings changed, another input changed, a record is missing, or a
    current file has no staged-rows record. -#}
{% macro build_memo_dirty_cutoffs(list, code_key) %}
    {% set cutoffs = ref('stg_campaign_cutoffs') %}
    {% if compiled_code.count(cutoffs | string) != 1 %}{{ return(false) }}{% endif %}
    {% if not build_memo_table_exists(build_memo_parts_relation())
        or not build_memo_table_exists(build_memo_parts_relation('int_person_links__' ~ list)) %}
        {{ return(false) }}
    {% endif %}
    {% set inputs = [
        'model.' ~ project_name ~ '.stg_' ~ list,
        'model.' ~ project_name ~ '.int_person_links__' ~ list,
        'model.' ~ project_name ~ '.int_submissions__' ~ list,
    ] %}
    {% set fingerprints = build_memo_parent_fingerprints(code_key) %}
    {% if fingerprints is none %}{{ return(false) }}{% endif %}
    {% set now, before = fingerprints %}
    {% set parents = build_memo_parents() %}
    {% for parent_id in parents if now.get(parent_id) != before.get(parent_id) %}
        {% if parent_id not in inputs %}{{ return(false) }}{% endif %}
    {% endfor %}
    {% call statement('build_memo_cutoff_inputs_now') %}
        create or replace temp table warmheart_cutoff_inputs as
        {{ build_memo_cutoff_inputs_sql(list) }}
    {% endcall %}
    {% set complete = run_query(
        "select count(*) = 0 from temp.main.warmheart_cutoff_inputs where fp is null").rows[0][0] %}
    {% set recorded = run_query("select count(*) > 0 from " ~ build_memo_cutoff_inputs_relation()
        ~ " where node_id = '" ~ model.unique_id ~ "'").rows[0][0] %}
    {% if not complete or not recorded %}
        {% call statement('build_memo_drop_cutoff_inputs') %}drop table temp.main.warmheart_cutoff_inputs{% endcall %}
        {{ return(false) }}
    {% endif %}
    {% call statement('build_memo_dirty_cutoffs') %}
        create or replace temp table warmheart_dirty_cutoffs as
        select coalesce(n.cutoff_date, b.cutoff_date) as cutoff_date
        from temp.main.warmheart_cutoff_inputs as n
        full join (
            select cutoff_date, fp from {{ build_memo_cutoff_inputs_relation() }}
            where node_id = '{{ model.unique_id }}'
        ) as b on b.cutoff_date = n.cutoff_date
        where n.fp is distinct from b.fp;
        create or replace temp table warmheart_dirty_parts as
        select distinct cutoff_date, city_code from {{ build_memo_parts_relation() }}
        where cutoff_date in (select cutoff_date from temp.main.warmheart_dirty_cutoffs)
        union
        select distinct cutoff_date, city_code from ({{ current_list_files(list) }}) as files
        where cutoff_date in (select cutoff_date from temp.main.warmheart_dirty_cutoffs);
        drop table temp.main.warmheart_cutoff_inputs
    {% endcall %}
    {% set counts = run_query("select (select count(*) from temp.main.warmheart_dirty_cutoffs), "
        ~ "(select count(*) from " ~ cutoffs ~ ")").rows[0] %}
    {{ log('build memo: ' ~ model.name ~ ' has ' ~ counts[0] ~ ' of ' ~ counts[1] ~ ' cut-offs whose inputs changed', info=true) }}
    {% set only_dirty -%}
        (select * from {{ cutoffs }} as warmheart_cutoffs
         where cutoff_date in (select cutoff_date from temp.main.warmheart_dirty_cutoffs))
    {%- endset %}
    {{ return(compiled_code | replace(cutoffs | string, only_dirty)) }}
{% endmacro %}

{% macro build_memo_cutoff_inputs_relation() -%}
    main.warmheart_cutoff_inputs_v{{ build_memo_version() }}
{%- endmacro %}

{#- (cutoff_date, fp) of each cut-off's inputs, as build_memo_dirty_cutoffs describes;
    fp is null when a current file has no staged-rows record. -#}
{% macro build_memo_cutoff_inputs_sql(list) -%}
    with files as (
        {{ current_list_files(list) }}
    ),
    staged as (
        select file_sha256, file_path, context_key || ':' || fp as fp
        from {{ build_memo_files_relation() }}
        where node_id = 'model.{{ project_name }}.stg_{{ list }}'
    ),
    links as (
        select file_sha256, file_path, n || ':' || coalesce(s::varchar, '') || ':' || coalesce(x::varchar, '') as fp
        from {{ build_memo_parts_relation('int_person_links__' ~ list) }}
    )
    select
        files.cutoff_date,
        case when count(staged.fp) = count(*) then md5(string_agg(
            concat_ws('|', files.city_code, files.file_sha256, files.file_path,
                files.received_at::varchar, files.source_cutoff_date::varchar,
                files.is_carried_forward::varchar, staged.fp, coalesce(links.fp, '-')),
            ',' order by files.city_code, files.file_sha256, files.file_path
        )) end as fp
    from files
    left join staged on staged.file_sha256 = files.file_sha256 and staged.file_path = files.file_path
    left join links on links.file_sha256 = files.file_sha256 and links.file_path = files.file_path
    group by files.cutoff_date
{%- endmacro %}

{#- SQL (statements) recording each cut-off's inputs now: in the transaction that changes
    the table. -#}
{% macro build_memo_record_cutoff_inputs_sql(list) -%}
    delete from {{ build_memo_cutoff_inputs_relation() }} where node_id = '{{ model.unique_id }}';
    {#- Without the links' parts (a memo table dropped by hand) nothing is recorded: the
        next rebuild is whole. -#}
    {%- if build_memo_table_exists(build_memo_parts_relation('int_person_links__' ~ list)) %}
    insert into {{ build_memo_cutoff_inputs_relation() }}
    select '{{ model.unique_id }}', cutoff_date, fp from ({{ build_memo_cutoff_inputs_sql(list) }}) as inputs
    where fp is not null;
    {%- endif %}
{%- endmacro %}
