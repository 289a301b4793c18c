-- Reporting rates per cut-off (DHIS2 style): received / expected and on time / expected,
-- per table type and over all tables (table_type = 'all').
with completeness as (
    select * from {{ ref('rpt_reporting_completeness') }}
),

per_table as (
    select
        campaign_id,
        cutoff_seq,
        cutoff_date,
        table_type,
        sum(expected)::bigint as expected_reports,
        sum(received)::bigint as received_reports,
        sum(on_time)::bigint as on_time_reports,
        sum(late)::bigint as late_reports,
        count_if(is_carried_forward)::bigint as carried_forward_reports
    from completeness
    group by all
),

all_tables as (
    select
        campaign_id,
        cutoff_seq,
        cutoff_date,
        'all' as table_type,
        sum(expected_reports)::bigint as expected_reports,
        sum(received_reports)::bigint as received_reports,
        sum(on_time_reports)::bigint as on_time_reports,
        sum(late_reports)::bigint as late_reports,
        sum(carried_forward_reports)::bigint as carried_forward_reports
    from per_table
    group by all
),

-- Cities that sent every expected table for the cut-off.
complete_cities as (
    select cutoff_date, count(*) as cities_complete
    from (
        select cutoff_date, city_code
        from completeness
        group by all
        having sum(received) = sum(expected)
    )
    group by all
),

unioned as (
    select * from per_table
    union all
    select * from all_tables
),

final as (
    select
        unioned.campaign_id,
        unioned.cutoff_seq,
        unioned.cutoff_date,
        unioned.table_type,
        unioned.expected_reports,
        unioned.received_reports,
        unioned.on_time_reports,
        unioned.late_reports,
        unioned.carried_forward_reports,
        round(unioned.received_reports / unioned.expected_reports, 4) as reporting_rate,
        round(unioned.on_time_reports / unioned.expected_reports, 4) as on_time_rate,
        case when unioned.table_type = 'all' then coalesce(complete_cities.cities_complete, 0) end
            as cities_complete
    from unioned
    left join complete_cities on complete_cities.cutoff_date = unioned.cutoff_date
)

select * from final
