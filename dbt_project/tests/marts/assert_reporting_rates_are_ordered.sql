-- On-time reports are a subset of received reports, which are a subset of expected ones;
-- the rates are therefore 0 <= on_time_rate <= reporting_rate <= 1.
select *
from {{ ref('rpt_reporting_rates') }}
where not (
        0 <= on_time_reports
        and on_time_reports <= received_reports
        and received_reports <= expected_reports
        and on_time_rate <= reporting_rate
        and reporting_rate <= 1
    )
