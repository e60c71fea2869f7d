-- The people behind Standard Safeguarding Dataset rows (data-to-insight/ssd-data-model,
-- data/objects: ssd_person, ssd_linked_identifiers, ssd_address), run before the feed
-- queries ssd_csc.sql and ssd_referrals.sql, which join `person_at_event` on their
-- (`_table`, `_line`).
-- Grain of person_at_event: one row per dated event line of the extract: its person's
-- details (the first ssd_person line for that id), NHS number, UPN and NINO, and the
-- address in force on the event's date (else the latest one).

create view person_details as
select
    trim(pers_person_id) as person_id,
    pers_forename as forename,
    pers_surname as surname,
    pers_dob as dob,
    pers_sex as sex
from ssd_person
qualify row_number() over (partition by trim(pers_person_id) order by _line) = 1;

create view person_identifiers as
with typed as (
    select
        trim(link_person_id) as person_id,
        regexp_replace(lower(link_identifier_type), '[^a-z]', '', 'g') as kind,
        trim(link_identifier_value) as value,
        _line
    from ssd_linked_identifiers
)
select
    person_id,
    first(value order by _line) filter (where kind = 'nhsnumber') as nhs_number,
    first(value order by _line) filter (where kind in ('uniquepupilnumber', 'upn')) as upn,
    first(value order by _line) filter (where kind in ('nationalinsurancenumber', 'nino')) as nino
from typed
group by person_id;

create view person_addresses as
select
    trim(addr_person_id) as person_id,
    addr_address_postcode as postcode,
    case when json_valid(addr_address_json) then nullif(concat_ws(', ',
        nullif(trim(json_extract_string(addr_address_json, '$.FLAT')), ''),
        nullif(trim(json_extract_string(addr_address_json, '$.BUILDING')), ''),
        nullif(concat_ws(' ',
            nullif(trim(json_extract_string(addr_address_json, '$.HOUSE')), ''),
            nullif(trim(json_extract_string(addr_address_json, '$.STREET')), '')), ''),
        nullif(trim(json_extract_string(addr_address_json, '$.TOWN')), '')), '')
    else addr_address_json end as address,
    try_cast(left(addr_address_start_date, 10) as date) as valid_from,
    try_cast(left(addr_address_end_date, 10) as date) as valid_to,
    _line
from ssd_address;

create view person_events as
select 'ssd_cin_plans' as _table, _line, trim(cinp_person_id) as person_id,
    cinp_cin_plan_start_date as event_date
from ssd_cin_plans
union all
select 'ssd_cp_plans', _line, trim(cppl_person_id), cppl_cp_plan_start_date from ssd_cp_plans
union all
select 'ssd_cla_episodes', _line, trim(clae_person_id), clae_cla_episode_start_date
from ssd_cla_episodes
union all
select 'ssd_early_help_episodes', _line, trim(earl_person_id), earl_episode_start_date
from ssd_early_help_episodes
union all
select 'ssd_cin_episodes', _line, trim(cine_person_id), cine_referral_date
from ssd_cin_episodes;

create view event_address as
select e._table, e._line, a.postcode, a.address
from person_events e
join person_addresses a using (person_id)
qualify row_number() over (
    partition by e._table, e._line
    order by
        (coalesce(a.valid_from, date '1900-01-01') <= try_cast(left(e.event_date, 10) as date)
         and coalesce(a.valid_to, date '9999-12-31') >= try_cast(left(e.event_date, 10) as date))
            desc,
        a.valid_from desc nulls last,
        a._line
) = 1;

create view person_at_event as
select
    e._table,
    e._line,
    e.person_id as source_person_id,
    d.forename,
    d.surname,
    d.dob,
    d.sex,
    ea.postcode,
    ea.address,
    i.upn,
    i.nino,
    i.nhs_number
from person_events e
left join person_details d using (person_id)
left join person_identifiers i using (person_id)
left join event_address ea on ea._table = e._table and ea._line = e._line;
