-- Person rows as linkage compares them (docs/matching.md, "Normalising").
-- Grain: one row per source row of {source_table}; `record_id` names its identity (the
-- same normalised values give the same id, whichever feed or night they came from).
-- Names arrive folded by matching/normalise.py (`name_fold`: any script to lower-case
-- ASCII letters with a maintained transliteration library), never NULLed for not being
-- ASCII. Placeholder dates of birth (issue 15): 1900-01-01 is a system default, not a
-- birth, and counts as missing; 1 January of any year is kept but flagged, and the model
-- gives its agreement less weight (matching/model.py). The address: its first line gives
-- the house (number, else name) and street; the lines after it the locality. Addresses
-- repeat on every row of a person, so each distinct one is parsed once.
with source_rows as (
    select * from {source_table}
),
address_text as (
    select distinct cast(address as varchar) as address
    from source_rows where address is not null
),
address_lines as (
    select
        address,
        -- The first line in lower-case letters, digits and single spaces.
        nullif(trim(regexp_replace(lower(strip_accents(split_part(address, ',', 1))),
                                   '[^a-z0-9]+', ' ', 'g')), '') as first_line,
        nullif(regexp_replace(lower(strip_accents(list_string_agg(
                   string_split(address, ',')[2:]))), '[^a-z0-9]+', '', 'g'), '')
            as address_locality
    from address_text
),
address_parts as (
    select
        *,
        -- House number: the number (with a letter, 12a) in front of the street, or the
        -- whole first line when it is only a number.
        nullif(regexp_extract(first_line, '(^| )([0-9]+[a-z]?)( ?[a-z]{{2}}|$)', 2), '')
            as house_number,
        -- The street: the first line after its last number, a common abbreviation at its
        -- end written out (12 Mill Ln = 12 Mill Lane).
        regexp_extract(
            regexp_replace(first_line, '^.*[0-9]+[a-z]? ?', ''),
            '^(.*?)( (st|rd|ave|av|ln|cl|dr|cres|ct|gdns|pl|sq|tce|terr))?$', ['stem', 'abbr']
        ) as street_parts
    from address_lines
),
address_street as (
    select
        *,
        nullif(trim(street_parts.stem || ' ' || case street_parts.abbr
            when 'st' then 'street' when 'rd' then 'road' when 'ave' then 'avenue'
            when 'av' then 'avenue' when 'ln' then 'lane' when 'cl' then 'close'
            when 'dr' then 'drive' when 'cres' then 'crescent' when 'ct' then 'court'
            when 'gdns' then 'gardens' when 'pl' then 'place' when 'sq' then 'square'
            when 'tce' then 'terrace' when 'terr' then 'terrace' else '' end), '') as street
    from address_parts
),
address_parsed as (
    select
        address,
        -- The house: its number, else the whole first line ("rose cottage"). The street
        -- without its spaces (Mill Lane = Milllane, as clerks type it).
        coalesce(house_number, replace(street, ' ', '')) as address_house,
        replace(street, ' ', '') as address_street,
        address_locality
    from address_street
),
cleaned as (
    select
        cast(r.source as varchar) as source,
        cast(r.source_record_id as varchar) as source_record_id,
        nullif(trim(cast(r.source_person_id as varchar)), '') as source_person_id,
        forename_fold.folded as forename,
        surname_fold.folded as surname,
        surname_fold.parts as surname_parts,
        try_cast(cast(r.dob as varchar) as date) as dob_given,
        nullif(regexp_replace(upper(cast(r.postcode as varchar)), '[^A-Z0-9]', '', 'g'), '')
            as postcode_compact,
        a.address_house,
        a.address_street,
        a.address_locality,
        nullif(regexp_replace(upper(cast(r.upn as varchar)), '[^A-Z0-9]', '', 'g'), '') as upn,
        nullif(regexp_replace(upper(cast(r.nino as varchar)), '[^A-Z0-9]', '', 'g'), '') as nino,
        nullif(regexp_replace(cast(r.nhs_number as varchar), '[^0-9]', '', 'g'), '')
            as nhs_number
    from source_rows as r
    left join name_fold as forename_fold on forename_fold.raw = cast(r.forename as varchar)
    left join name_fold as surname_fold on surname_fold.raw = cast(r.surname as varchar)
    left join address_parsed as a on a.address = cast(r.address as varchar)
),
parts as (
    select
        *,
        case when dob_given <> date '1900-01-01' then dob_given end as dob,
        regexp_matches(
            coalesce(postcode_compact, ''), '^[A-Z]{{1,2}}[0-9][A-Z0-9]?[0-9][A-Z]{{2}}$'
        ) as is_uk,
        substr(postcode_compact, 1, length(postcode_compact) - 3) as outward,
        right(postcode_compact, 3) as inward
    from cleaned
),
final as (
    select
        source, source_record_id, source_person_id, forename,
        coalesce(nickname.canonical, parts.forename) as forename_canonical,
        surname, surname_parts, dob,
        coalesce(month(dob) = 1 and day(dob) = 1, false) as dob_placeholder,
        -- A UK postcode gets its one space and its sector, district and area; any other
        -- (an overseas or malformed one) is kept as written, so only full agreement counts.
        case when is_uk then outward || ' ' || inward
             when length(postcode_compact) between 2 and 10 then postcode_compact
        end as postcode,
        case when is_uk then outward || ' ' || left(inward, 1) end as postcode_sector,
        case when is_uk then outward end as postcode_district,
        case when is_uk then regexp_extract(outward, '^[A-Z]+') end as postcode_area,
        address_house, address_street, address_locality,
        upn, nino, nhs_number
    from parts
    left join nickname on nickname.name = parts.forename
)
select
    *,
    'R' || substr(md5(concat_ws('|', source, source_person_id, forename, surname,
                                cast(dob as varchar), replace(postcode, ' ', ''), upn, nino,
                                nhs_number, address_house, address_street, address_locality,
                                array_to_string(surname_parts, ' '))), 1, 16)
        as record_id
from final
