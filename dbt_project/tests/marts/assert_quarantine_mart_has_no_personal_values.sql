-- The operators' quarantine mart shows a cell's value only for dates, numbers and
-- enumerations; ID, name and phone cells (and whole rows) stay in restricted_quarantine.
select *
from {{ ref('rpt_quarantine') }}
where value is not null
    and reason_code not in ('bad_date', 'bad_number', 'bad_enum')
