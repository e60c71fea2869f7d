"""The claim commands' arguments, up-front checks and runs (`claim`, `rerun`,
`assurance`, `import-claims`); flows/commands.py puts them in the table of commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from data_contracts.warehouse import connect
from data_contracts.warehouse_paths import check_output_file
from flows.arguments import as_of_date, positive_whole_number
from flows.runs import run_flow


def claim_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=as_of_date, required=True, dest="as_of")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--submit", action="store_true", help="record the claimed families in the ledger"
    )


def claim_workbook_path(args: argparse.Namespace) -> Path:
    return args.out or Path(f"claim-{args.as_of.isoformat()}.xlsx")


def check_claim(args: argparse.Namespace) -> None:
    check_output_file(claim_workbook_path(args), args.warehouse)
    if args.submit:
        from claims.ledger import check_submittable

        with connect(args.warehouse) as con:
            check_submittable(con, args.as_of)


def run_claim(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.claim import claim_flow

    result = run_flow(
        claim_flow, args.as_of, warehouse, claim_workbook_path(args), args.plan, args.submit
    )
    print(
        f"{result.period}: {result.claimed} of {result.cases} cases claimed as of "
        f"{args.as_of.isoformat()} ({result.reclaims} re-claims)"
        + (f"; recorded in the ledger as submission {result.submission_id}" if args.submit else "")
    )
    print(f"workbook: {result.workbook}")
    print(f"claim report page (offline HTML): {result.report_page}")
    return 0


def rerun_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=as_of_date, required=True, dest="as_of")
    parser.add_argument(
        "--out", type=Path, default=None, help="also write the rebuilt workbook here"
    )


def check_rerun(args: argparse.Namespace) -> None:
    if args.out is not None:
        check_output_file(args.out, args.warehouse)
    from claims.ledger import check_rerunnable

    with connect(args.warehouse) as con:
        check_rerunnable(con, args.as_of, args.warehouse)


def run_rerun(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.rerun import rerun_flow

    rerun = run_flow(rerun_flow, args.as_of, warehouse, args.out)
    print(
        f"{rerun.period} (as of {args.as_of.isoformat()}, submission "
        f"{rerun.submission_id}): submitted sha256 {rerun.submitted_sha256}"
    )
    if rerun.identical:
        print(f"re-run sha256 {rerun.rerun_sha256}: identical, no difference")
        return 0
    print(f"re-run sha256 {rerun.rerun_sha256}: DIFFERENT")
    for line in rerun.differences:
        print(f"  {line}")
    return 1


def historic_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", type=Path, required=True)


def check_historic(args: argparse.Namespace) -> None:
    from claims.historic import check_importable

    with connect(args.warehouse) as con:
        check_importable(con, args.file)


def run_historic(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.claim import import_claims_flow

    imported = run_flow(import_claims_flow, args.file, warehouse, args.plan)
    print(
        f"{imported.file_name}: {imported.claims} historic claims, {imported.members} "
        f"members ({imported.members_linked} linked to people in the warehouse) recorded "
        f"in the ledger"
    )
    return 0


ASSURANCE_HELP = (
    "sample a submitted period's claimed families for a spot check and write an evidence "
    "pack per family (personal data: a private folder of its own)"
)


def assurance_arguments(parser: argparse.ArgumentParser) -> None:
    from claims.assurance import DEFAULT_SAMPLE

    parser.add_argument("--as-of", type=as_of_date, required=True, dest="as_of")
    parser.add_argument(
        "--sample",
        type=positive_whole_number,
        default=DEFAULT_SAMPLE,
        help=f"families to sample (default {DEFAULT_SAMPLE})",
    )
    parser.add_argument("--seed", type=int, default=0, help="the random draw's seed")
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        help="a new folder for the packs (or one that already holds packs)",
    )


def check_assurance(args: argparse.Namespace) -> None:
    from claims.assurance import check_pack_folder
    from claims.ledger import check_rerunnable

    check_pack_folder(args.out)
    with connect(args.warehouse) as con:
        check_rerunnable(con, args.as_of, args.warehouse)


def run_assurance(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.assurance import assurance_flow

    result = run_flow(assurance_flow, args.as_of, warehouse, args.out, args.sample, args.seed)
    print(
        f"{result.period} (as of {args.as_of.isoformat()}, submission "
        f"{result.submission_id}): {len(result.sampled)} of {result.claimed} claimed "
        "families sampled"
    )
    print(f"assurance packs (personal data, private folder): {result.folder}")
    print(f"index: {result.index}")
    return 0
