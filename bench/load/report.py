"""The figures of `make bench-load` as Markdown, written into docs/performance.md.

Each workload has its own marked part of the page, so running one workload (WORKLOADS=P5)
replaces only its own table and leaves the others as they were last measured."""

from __future__ import annotations

import math
import re
from pathlib import Path

from bench.load.workloads import ms, times

START = "<!-- bench-load {name} start -->"
END = "<!-- bench-load {name} end -->"
SECTION_TITLE = "## Under load, against a bare Django floor (`make bench-load`)"
INTRO = """Written by `make bench-load` (bench/load/): each part below is replaced when its workload is run
again. The service runs with its production settings on PostgreSQL with the national world, the
floor is a bare Django project of the same version (bench/floor/), and both are served by the same
gunicorn command and configuration (gunicorn.conf.py; 2 sync workers unless `WEB_CONCURRENCY` and
`GUNICORN_WORKER_CLASS` say otherwise). The
load generator (bench/load/client.py, asyncio and httpx) runs on the same machine, so it takes some
of the 2 cores from both. Ratios are medians over interleaved rounds (service, then floor);
milliseconds are for reading beside them, not for comparing between machines."""


def _flag(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _header(meta: dict) -> str:
    load = ", ".join(f"{v:.1f}" for v in meta["load_before"])
    after = ", ".join(f"{v:.1f}" for v in meta["load_after"])
    return (
        f"Finished {meta['date']} on {meta['cpus']} cores; scale {meta['scale']}; "
        + (f"{meta['rounds']} rounds; " if meta.get("rounds") else "")
        + f"gunicorn {meta['workers']} × {meta['worker_class']} workers; load average (1, 5, 15 min) "
        f"{load} before, {after} after; took {meta['minutes']:.1f} min."
    )


def p5_markdown(result: dict, meta: dict) -> str:
    floor = result["floor"]
    lines = [
        f"### P5 pages under load ({result['clients']} clients, {result['seconds']:g} s a page a round)",
        "",
        _header(meta),
        "",
        f"Floor GET (a small template): p50 {ms(floor['p50'])} ms, p95 {ms(floor['p95'])} ms, "
        f"{floor['rps']:.0f} requests/s, {floor['errors']} errors in {floor['requests']:,} requests.",
        "",
        "| page | p50 ms | p95 ms | requests/s | errors | p95 ÷ floor p95 | target ≤ 3× |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in result["rows"]:
        met = not math.isnan(row["ratio"]) and row["ratio"] <= 3 and row["errors"] == 0
        lines.append(
            f"| {row['page']} | {ms(row['p50'])} | {ms(row['p95'])} | {row['rps']:.1f} | "
            f"{row['errors']}/{row['requests']:,} | {times(row['ratio'])} | {_flag(met)} |"
        )
    return "\n".join(lines)


def p1_markdown(result: dict, meta: dict) -> str:
    s, f = result["service"], result["floor"]
    lines = [
        f"### P1 deadline rush ({result['bidders']} bidders, {result['posts']} sends or withdrawals each a round)",
        "",
        _header(meta),
        "",
        "Each bidder signs in, then opens its 4-lot bid's check page (or the withdraw page), takes the",
        "form's CSRF token and posts it: send, withdraw, send again. The floor's clients post its form",
        "as often. Times are for the POST alone.",
        "",
        "| | POSTs/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
        f"| service | {s['throughput']:.1f} | {ms(s['p50'])} | {ms(s['p95'])} | {ms(s['p99'])} | "
        f"{s['errors']}/{s['requests']:,} |",
        f"| floor | {f['throughput']:.1f} | {ms(f['p50'])} | {ms(f['p95'])} | {ms(f['p99'])} | "
        f"{f['errors']}/{f['requests']:,} |",
        "",
        "| measure | value | target | met |",
        "|---|---:|---|---|",
        f"| throughput ÷ floor | {times(result['throughput_ratio'])} | ≥ 0.5× | "
        f"{_flag(result['throughput_ratio'] >= 0.5)} |",
        f"| p99 ÷ floor p99 | {times(result['p99_ratio'])} | ≤ 2× | {_flag(result['p99_ratio'] <= 2)} |",
        f"| lost (told but not stored, or stored but not told) | {result['lost']} | 0 | {_flag(result['lost'] == 0)} |",
        f"| sent bids failing the integrity check | {result['stored']['integrity_problems']} | 0 | "
        f"{_flag(result['stored']['integrity_problems'] == 0)} |",
    ]
    return "\n".join(lines)


def r3_markdown(result: dict, meta: dict) -> str:
    st = result["stored"]
    checks = [
        ("accepted late (receipt or sent time at or after the closing date)", st["late_receipts"] + st["late_sent"]),
        ("submit receipts whose bid is not sent", st["receipt_without_sent"]),
        ("sent bids without their receipt", st["sent_without_receipt"]),
        ("sends the bidder was told of with no receipt stored", result["told_sent_not_stored"]),
        ("server errors (5xx or no answer)", result["server_errors"]),
        ("sent bids failing the integrity check", st["integrity_problems"]),
    ]
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(result["outcomes"].items()))
    lines = [
        f"### R3 deadline race ({result['bidders']} bidders)",
        "",
        _header(meta),
        "",
        "Each bidder signs in and opens its bid's check page once (keeping the form's CSRF token). The",
        f"closing date is then set {result['lead']:g} s ahead; each bidder starts at a random moment in the",
        f"next {result['lead'] + result['after'] / 2:g} s and sends, withdraws and sends again by POST until it is",
        f"refused. Outcomes: {outcomes}; {sum(result['outcomes'].values()):,} POSTs in all;",
        f"{st['sent']} bids sent at the close. `R3_BIDDERS` and `R3_LEAD_SECONDS` set the size.",
        "",
        "| check | count | target |",
        "|---|---:|---|",
        *(f"| {name} | {count} | 0{'' if count == 0 else ' (**not met**)'} |" for name, count in checks),
    ]
    return "\n".join(lines)


def r4_markdown(result: dict, meta: dict) -> str:
    st = result["stored"]
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(result["outcomes"].items()))
    checks = [
        ("receipts a bidder read that are not stored for its bid", result["receipts_not_stored"]),
        ("sent bids failing the integrity check (content, rows, receipt, audit)", st["integrity_problems"]),
        ("sent bids without their receipt", st["sent_without_receipt"]),
        ("submit receipts whose bid is not sent", st["receipt_without_sent"]),
    ]
    lines = [
        f"### R4 crashes during a submission storm ({result['bidders']} bidders)",
        "",
        _header(meta),
        "",
        f"SIGKILL of a worker {result['killed']['workers']} times and of the master with its workers "
        f"{result['killed']['masters']} times (then started again) while bidders send, read their receipt "
        f"and withdraw. Outcomes: {outcomes} (errors: connections cut by the kills). Distinct receipts "
        f"(bid and digest) read by bidders: {result['receipts_seen']}.",
        "",
        "| check | count | target |",
        "|---|---:|---|",
        *(f"| {name} | {count} | 0{'' if count == 0 else ' (**not met**)'} |" for name, count in checks),
    ]
    return "\n".join(lines)


def r7_markdown(result: dict, meta: dict) -> str:
    return "\n".join(
        [
            f"### R7 soak ({result['seconds']:g} s of mixed reading and bidding)",
            "",
            _header(meta),
            "",
            "Worker memory (RSS of all workers) is sampled every 5 s; the slope leaves out the first quarter,",
            "while the workers load code and fill their caches. `SOAK_SECONDS=600` runs the full 10 minutes.",
            "",
            "| requests | errors | server errors | worker RSS start MB | end MB | slope MB/min |",
            "|---:|---:|---:|---:|---:|---:|",
            f"| {result['requests']:,} | {result['errors']} | {result['server_errors']} | "
            f"{result['rss_start']:.0f} | {result['rss_end']:.0f} | {result['rss_slope_mb_per_min']:+.2f} |",
        ]
    )


MARKDOWN = {"P5": p5_markdown, "P1": p1_markdown, "R3": r3_markdown, "R4": r4_markdown, "R7": r7_markdown}
ORDER = ["P5", "P1", "R3", "R4", "R7"]


def replace_section(page: str, name: str, body: str) -> str:
    """Put body between the workload's markers; add the section and markers if missing."""
    start, end = START.format(name=name), END.format(name=name)
    block = f"{start}\n{body}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(page):
        return pattern.sub(lambda _m: block, page)
    if SECTION_TITLE not in page:
        page = page.rstrip("\n") + f"\n\n{SECTION_TITLE}\n\n{INTRO}\n"
        for other in ORDER:
            page += f"\n{START.format(name=other)}\n{END.format(name=other)}\n"
        return replace_section(page, name, body)
    return page.rstrip("\n") + f"\n\n{block}\n"


def write(path: Path, results: dict[str, tuple[dict, dict]]) -> str:
    page = path.read_text() if path.exists() else "# Performance\n"
    printed = []
    for name in ORDER:
        if name in results:
            result, meta = results[name]
            body = MARKDOWN[name](result, meta)
            page = replace_section(page, name, body)
            printed.append(body)
    path.write_text(page)
    return "\n\n".join(printed)
