-- Reporting rates per cut-off (DHIS2 style): received / expected and on time / expected,
-- per table type and over all tables (table_type = 'all').
with completeness as (
    select * from {{ ref('rpt_reporting_completeness') }}
),

-- Per table type, and (rollup) over all tables as table_type 'all', in one aggregation.
report_counts as (
    select
        campaign_id,
        cutoff_seq,
        cutoff_date,
        coalesce(table_type, 'all') as table_type,
        sum(expected)::bigint as expected_reports,
        sum(received)::bigint as received_reports,
        sum(on_time)::bigint as on_time_reports,
        sum(late)::bigint as late_reports,
        count_if(is_carried_forward)::bigint as carried_forward_reports
    from completeness
    group by campaign_id, cutoff_seq, cutoff_date, rollup(table_type)
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

final as (
    select
        report_counts.campaign_id,
        report_counts.cutoff_seq,
        report_counts.cutoff_date,
        report_counts.table_type,
        report_counts.expected_reports,
        report_counts.received_reports,
        report_counts.on_time_reports,
        report_counts.late_reports,
        report_counts.carried_forward_reports,
        {{ rate('report_counts.received_reports', 'report_counts.expected_reports') }} as reporting_rate,
        {{ rate('report_counts.on_time_reports', 'report_counts.expected_reports') }} as on_time_rate,
        case when report_counts.table_type = 'all' then coalesce(complete_cities.cities_complete, 0) end
            as cities_complete
    from report_counts
    left join complete_cities on complete_cities.cutoff_date = report_counts.cutoff_date
)

select * from final
