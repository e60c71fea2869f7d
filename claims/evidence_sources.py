"""Where each piece of evidence came from: the batch behind a source row, and its file.

A staged row's id is `<batch_id>:<row>` and a batch id is `<feed>-<file hash>`
(data_contracts/batch_load.py). The Sources sheet of the claim workbook and the assurance
pack resolve those ids against `load_batch` (and `load_source` for a file read through a
partner's source definition), so an auditor can go from an evidence line to a file, its
SHA-256 and the line in it without the warehouse.
"""

from __future__ import annotations

import duckdb
import pandas as pd

SOURCES_SQL = """
-- grain: one row per batch the evidence cites
with cited as (
    select distinct split_part(unnest(source_record_ids), ':', 1) as batch_id
    from family_need_outcome
),

final as (
    select
        b.batch_id,
        b.feed,
        -- a partner's file is recorded as <folder>/<name>: the name within its folder here
        case
            when s.folder is not null and starts_with(b.file_name, s.folder || '/')
                then b.file_name[length(s.folder) + 2:]
            else b.file_name
        end as file_name,
        coalesce(s.folder, b.feed) as folder,
        s.source_table,
        s.source as source_definition,
        s.definition_sha256,
        b.rows_in,
        b.rows_staged,
        b.rows_quarantined,
        b.loaded_at,
        b.file_sha256,
        b.read_as
    from cited
    join load_batch b using (batch_id)
    left join load_source s using (batch_id)
)

select * from final order by feed, file_name, batch_id
"""


def evidence_sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The Sources sheet: every batch `family_need_outcome` cites, with its file."""
    return con.execute(SOURCES_SQL).df()


def file_within_folder(file_name: str, folder: str) -> str:
    """`early_help_system/2024-12.xlsx` in folder `early_help_system` -> `2024-12.xlsx`."""
    prefix = f"{folder}/"
    return file_name[len(prefix) :] if file_name.startswith(prefix) else file_name


def split_source_row(source_record_id: str) -> tuple[str, int]:
    """`eh_needs-23dc48ac6c916ea0:167` -> (`eh_needs-23dc48ac6c916ea0`, 167)."""
    batch_id, _, row = source_record_id.rpartition(":")
    return batch_id, int(row)
