{# dbt-spark's session method writes every seed value into the SQL as '{value}': an empty
   CSV cell became the text 'None' (ref_report_figures.parent on Spark) and a value with a
   quote would break the statement. Values are written here as expressions instead (one `select` per
   row, as Spark's inline `values` takes literals only): `null` for an empty cell, otherwise
   the value's UTF-8 bytes in hex, decoded by Spark, so no
   quoting rule (nor spark.sql.parser.escapedStringLiterals) can change a value. The same
   SQL serves the thrift and Databricks methods. #}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }}
            {% for row in chunk -%}
                select {% for col_name in agate_table.column_names -%}
                    {%- set column_type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- set value = row[loop.index0] -%}
                    {%- if value is none -%}
                        cast(null as {{ column_type }})
                    {%- else -%}
                        cast(decode(unhex('{{ (value | string).encode("utf-8").hex() }}'), 'UTF-8') as {{ column_type }})
                    {%- endif -%}
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor %}
                {% if not loop.last %}union all{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}
