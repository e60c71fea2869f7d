-- Person rows as linkage compares them (docs/matching.md, "Normalising").
-- Grain: one row per source row of {source_table}; `record_id` names its identity (the
-- same normalised values give the same id, whichever feed or night they came from).
-- Names arrive folded by matching/normalise.py (`name_fold`: any script to lower-case
-- ASCII letters with a maintained transliteration library), never NULLed for not being
-- ASCII. Placeholder dates of birth (issue 15): 1900-01-01 is a system default, not a
-- birth, and counts as missing; 1 January of any year is kept but flagged, and the model
-- gives its agreement less weight (matching/model.py). The address arrives parsed into
-- words by matching/address.py (`address_parse`: house, flat, street, locality and any
-- UK postcode written inside it), whatever its commas and line order; a postcode found
-- in the text stands in for an empty postcode column.
with source_rows as (
    select
        *,
        nullif(regexp_replace(upper(cast(postcode as varchar)), '[^A-Z0-9]', '', 'g'), '')
            as postcode_compact
    from {source_table}
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
        coalesce(r.postcode_compact, a.postcode_in_address) as postcode_compact,
        a.address_house,
        a.address_flat,
        a.address_street,
        a.address_locality,
        a.address_locality_words,
        a.address_locality_run,
        nullif(regexp_replace(upper(cast(r.upn as varchar)), '[^A-Z0-9]', '', 'g'), '') as upn,
        nullif(regexp_replace(upper(cast(r.nino as varchar)), '[^A-Z0-9]', '', 'g'), '') as nino,
        nullif(regexp_replace(cast(r.nhs_number as varchar), '[^0-9]', '', 'g'), '')
            as nhs_number
    from source_rows as r
    left join name_fold as forename_fold on forename_fold.raw = cast(r.forename as varchar)
    left join name_fold as surname_fold on surname_fold.raw = cast(r.surname as varchar)
    left join address_parse as a
        on a.address = cast(r.address as varchar)
        and a.postcode_compact is not distinct from r.postcode_compact
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
        address_house, address_flat, address_street, address_locality, address_locality_words,
        address_locality_run,
        upn, nino, nhs_number
    from parts
    left join nickname on nickname.name = parts.forename
)
select
    *,
    'R' || substr(md5(concat_ws('|', source, source_person_id, forename, surname,
                                cast(dob as varchar), replace(postcode, ' ', ''), upn, nino,
                                nhs_number, address_house, address_street, address_locality,
                                address_flat,
                                array_to_string(surname_parts, ' '))), 1, 16)
        as record_id
from final
