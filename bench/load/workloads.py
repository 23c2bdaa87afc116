"""The workloads of `make bench-load`. Each returns rows for the report (bench/load/report.py).

P5 and P1 are ratios to the floor measured in the same run, service round then floor round, repeated
BENCH_ROUNDS times; the medians over rounds are reported. R3, R4 and R7 are correctness checks
under load, on the service alone.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import re
import signal
import time
from dataclasses import dataclass, field

from bench.load import servers
from bench.load.client import User, closed_loop, csrf_token, timed
from bench.load.stats import Sample, Summary, median, ratio, slope, summarise


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


ROUNDS = env_int("BENCH_ROUNDS", 3)
DIGEST = re.compile(r"\b[0-9a-f]{64}\b")


def world(command: str, *args) -> dict:
    output = servers.manage(servers.service_env(), "-m", "bench.load.world", command, *map(str, args), capture=True)
    return json.loads(output.strip().splitlines()[-1])


@dataclass
class Rounds:
    """Summaries of one measured thing over the rounds."""

    summaries: list[Summary] = field(default_factory=list)

    def med(self, name: str) -> float:
        return median([getattr(s, name) for s in self.summaries])

    def total(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.summaries)


def ms(seconds: float) -> str:
    return "–" if math.isnan(seconds) else f"{seconds * 1000:,.0f}"


def times(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}×"


async def _signed_in(base_url: str, emails: list[str], password: str) -> list[User]:
    users = [User(base_url) for _ in emails]
    results = []
    for chunk in range(0, len(users), 10):  # a few at a time: sign-in hashes a password
        part = list(zip(users[chunk : chunk + 10], emails[chunk : chunk + 10], strict=True))
        results += await asyncio.gather(*(user.sign_in(email, password) for user, email in part))
    if not all(results):
        raise RuntimeError(f"{results.count(False)} of {len(users)} bench users could not sign in")
    return users


async def _close(users: list[User]) -> None:
    await asyncio.gather(*(user.close() for user in users))


# --- P5: pages under load --------------------------------------------------------------------


async def _get_loop(users: list[User], path: str, seconds: float) -> Summary:
    async def step(user: User) -> list[Sample]:
        return [await timed(lambda: user.get(path), lambda r: r.status_code == 200)]

    samples, elapsed = await closed_loop(users, seconds, step)
    return summarise(samples, elapsed)


async def p5(service: servers.Server, floor: servers.Server) -> dict:
    clients = env_int("P5_CLIENTS", 16)
    seconds = env_float("P5_SECONDS", 6)
    probe = User(service.url)
    opportunities = (await probe.get("/public/opportunities/")).text
    found = re.search(r'href="/public/opportunities/(\d+)/"', opportunities)
    insights = sorted(set(re.findall(r'href="/insights/([a-z-]+)/"', (await probe.get("/insights/")).text)))
    await probe.close()
    busiest = world("provider")
    bidder = world("prepare", 1, 30 * 24 * 3600)
    pages = [
        ("start page", "/", None),
        ("public opportunities", "/public/opportunities/", None),
        ("public contracts", "/public/contracts/", None),
        ("insights index", "/insights/", None),
        *((f"insight: {slug}", f"/insights/{slug}/", None) for slug in insights),
        ("supplier register", "/join/register/", None),
        ("/api/v1/suppliers", "/api/v1/suppliers", None),
        ("one opportunity", f"/public/opportunities/{found.group(1)}/" if found else "/public/opportunities/0/", None),
        ("/api/v1/ocds/releases", "/api/v1/ocds/releases", None),
        (f"opportunities for you ({busiest['invitations']} invitations)", "/opportunities/for-you/", "busiest"),
        ("a 4-lot bid (task list)", f"/opportunities/{bidder['competition_id']}/bid/", "bidder"),
    ]
    only = os.environ.get("P5_PAGES")  # e.g. P5_PAGES=start,ocds: pages whose name holds one of these
    if only:
        pages = [p for p in pages if any(word in p[0] for word in only.split(","))]
    anonymous = [User(service.url) for _ in range(clients)]
    (one_busiest,) = await _signed_in(service.url, [busiest["email"]], busiest["password"])
    (one_bidder,) = await _signed_in(service.url, [bidder["bidders"][0]], bidder["password"])
    as_user = {
        "busiest": [User(service.url) for _ in range(clients)],
        "bidder": [User(service.url) for _ in range(clients)],
    }
    for user in as_user["busiest"]:
        user.cookies = dict(one_busiest.cookies)  # one person's session in many tabs
    for user in as_user["bidder"]:
        user.cookies = dict(one_bidder.cookies)
    floor_users = [User(floor.url) for _ in range(clients)]
    floor_rounds = Rounds()
    page_rounds = {name: Rounds() for name, _, _ in pages}
    for number in range(ROUNDS):
        for name, path, who in pages:
            users = as_user[who] if who else anonymous
            page_rounds[name].summaries.append(await _get_loop(users, path, seconds))
        floor_rounds.summaries.append(await _get_loop(floor_users, "/", seconds))
        print(f"  P5 round {number + 1} of {ROUNDS} done", flush=True)
    await _close([*anonymous, *as_user["busiest"], *as_user["bidder"], *floor_users, one_busiest, one_bidder])
    rows = []
    for name, rounds in page_rounds.items():
        ratios = [ratio(s.p95, f.p95) for s, f in zip(rounds.summaries, floor_rounds.summaries, strict=True)]
        rows.append(
            {
                "page": name,
                "p50": rounds.med("p50"),
                "p95": rounds.med("p95"),
                "rps": rounds.med("throughput"),
                "errors": rounds.total("errors"),
                "requests": rounds.total("requests"),
                "ratio": median(ratios),
            }
        )
    floor_row = {
        "p50": floor_rounds.med("p50"),
        "p95": floor_rounds.med("p95"),
        "rps": floor_rounds.med("throughput"),
        "errors": floor_rounds.total("errors"),
        "requests": floor_rounds.total("requests"),
    }
    return {"clients": clients, "seconds": seconds, "rows": rows, "floor": floor_row}


# --- P1: deadline rush -----------------------------------------------------------------------


class Bidder:
    """One signed-in bidder: sends, withdraws and sends again through the real forms."""

    def __init__(self, user: User, email: str, competition_id: int):
        self.user = user
        self.email = email
        self.base = f"/opportunities/{competition_id}/bid/"
        self.sent = False
        self.submits_seen = 0
        self.withdrawals_seen = 0
        self.digests: set[str] = set()
        self.token: str | None = None  # set by prime(): POST without opening the form first

    async def prime(self) -> None:
        """Open the bid's check page once and keep its CSRF token (valid for the whole session),
        so that later sends and withdrawals are a POST alone: R3 fires them at the closing instant."""
        self.token = csrf_token((await self.user.get(self.base + "check/")).text)

    async def act(self, *, read_receipt: bool = False) -> tuple[Sample, str]:
        """One POST (send if the bid is a draft, else withdraw). The sample and what happened:
        "sent", "withdrawn", "closed" (refused: the closing date has passed) or "error"."""
        sending = not self.sent
        path = self.base + ("check/" if sending else "withdraw/")
        started = time.perf_counter()
        try:
            if self.token:
                response = await self.user.post(path, {"csrfmiddlewaretoken": self.token})
                post_seconds = time.perf_counter() - started
            else:
                response, post_seconds = await self.user.submit_form(path)
        except Exception:  # noqa: BLE001 - a reset connection (R4 kills servers) is an outcome
            return Sample(time.perf_counter() - started, False, 0), "error"
        status = response.status_code
        if post_seconds == 0.0:  # no form: the page said why (closed, or an error)
            if status == 200 and "closing date has passed" in response.text:
                return Sample(time.perf_counter() - started, False, status), "closed"
            if status in (200, 302):
                # The service says the bid is already sent (no send form) or not sent (the withdraw
                # page sends us back): an answer lost to a crash. Take the state it reports.
                self.sent = sending
                return Sample(time.perf_counter() - started, False, status), "resync"
            return Sample(time.perf_counter() - started, False, status), "error"
        if status == 302:
            self.sent = sending
            if sending:
                self.submits_seen += 1
                if read_receipt:
                    try:
                        receipt = await self.user.get(self.base + "receipt/")
                        if receipt.status_code == 200 and (digest := DIGEST.search(receipt.text)):
                            self.digests.add(digest.group(0))
                    except Exception:  # noqa: BLE001, S110 - the bid was sent; the digest check needs the page
                        pass
            else:
                self.withdrawals_seen += 1
            return Sample(post_seconds, True, status), "sent" if sending else "withdrawn"
        closed = status == 200 and "closing date has passed" in response.text
        return Sample(post_seconds, False, status), "closed" if closed else "error"


async def _floor_posts(users: list[User], posts: int) -> tuple[list[Sample], float]:
    samples: list[Sample] = []
    started = time.perf_counter()

    async def run(user: User) -> None:
        for _ in range(posts):
            response, seconds = await user.submit_form("/", {"text": "A row"})
            samples.append(Sample(seconds, response.status_code == 302 and seconds > 0, response.status_code))

    await asyncio.gather(*(run(user) for user in users))
    return samples, time.perf_counter() - started


async def _service_posts(bidders: list[Bidder], posts: int) -> tuple[list[Sample], float]:
    samples: list[Sample] = []
    started = time.perf_counter()

    async def run(bidder: Bidder) -> None:
        for _ in range(posts):
            sample, _outcome = await bidder.act()
            samples.append(sample)

    await asyncio.gather(*(run(b) for b in bidders))
    return samples, time.perf_counter() - started


async def p1(service: servers.Server, floor: servers.Server) -> dict:
    count = env_int("P1_BIDDERS", 50)
    posts = env_int("P1_POSTS", 3)
    prepared = world("prepare", count, 24 * 3600)
    users = await _signed_in(service.url, prepared["bidders"], prepared["password"])
    bidders = [Bidder(u, e, prepared["competition_id"]) for u, e in zip(users, prepared["bidders"], strict=True)]
    floor_users = [User(floor.url) for _ in range(count)]
    service_rounds, floor_rounds = Rounds(), Rounds()
    for number in range(ROUNDS):
        samples, elapsed = await _service_posts(bidders, posts)
        service_rounds.summaries.append(summarise(samples, elapsed))
        floor_samples, elapsed = await _floor_posts(floor_users, posts)
        floor_rounds.summaries.append(summarise(floor_samples, elapsed))
        print(f"  P1 round {number + 1} of {ROUNDS} done", flush=True)
    await _close([*users, *floor_users])
    stored = world("check", prepared["competition_id"])
    expected_sent = sum(1 for b in bidders if b.sent)
    throughput_ratios = [
        ratio(s.throughput, f.throughput) for s, f in zip(service_rounds.summaries, floor_rounds.summaries, strict=True)
    ]
    p99_ratios = [ratio(s.p99, f.p99) for s, f in zip(service_rounds.summaries, floor_rounds.summaries, strict=True)]
    return {
        "bidders": count,
        "posts": posts,
        "service": {k: service_rounds.med(k) for k in ("throughput", "p50", "p95", "p99")}
        | {"errors": service_rounds.total("errors"), "requests": service_rounds.total("requests")},
        "floor": {k: floor_rounds.med(k) for k in ("throughput", "p50", "p95", "p99")}
        | {"errors": floor_rounds.total("errors"), "requests": floor_rounds.total("requests")},
        "throughput_ratio": median(throughput_ratios),
        "p99_ratio": median(p99_ratios),
        # Lost: a send or withdrawal the bidder was told of with no receipt, or a bid not in the state
        # its bidder was last told.
        "lost": abs(stored["submitted_receipts"] - sum(b.submits_seen for b in bidders))
        + abs(stored["withdrawn_receipts"] - sum(b.withdrawals_seen for b in bidders))
        + abs(stored["sent"] - expected_sent),
        "stored": {k: stored[k] for k in ("sent", "submitted_receipts", "withdrawn_receipts", "integrity_problems")},
    }


# --- R3: deadline race -----------------------------------------------------------------------


async def r3(service: servers.Server, floor: servers.Server) -> dict:
    count = env_int("R3_BIDDERS", 100)
    lead = env_float("R3_LEAD_SECONDS", 3)
    after = env_float("R3_AFTER_SECONDS", 3)
    prepared = world("prepare", count, 3600)
    users = await _signed_in(service.url, prepared["bidders"], prepared["password"])
    bidders = [Bidder(u, e, prepared["competition_id"]) for u, e in zip(users, prepared["bidders"], strict=True)]
    await asyncio.gather(*(b.prime() for b in bidders))
    closes = world("close_in", prepared["competition_id"], lead)
    until = time.perf_counter() + lead + after
    outcomes: dict[str, int] = {}
    server_errors = 0

    async def run(bidder: Bidder) -> None:
        nonlocal server_errors
        # First POSTs spread from now until after the closing instant; then send, withdraw, send...
        await asyncio.sleep(random.uniform(0, lead + after / 2))  # noqa: S311 - spread, not security
        while time.perf_counter() < until:
            sample, outcome = await bidder.act()
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            server_errors += sample.status >= 500 or sample.status == 0
            if outcome == "closed":
                return

    await asyncio.gather(*(run(b) for b in bidders))
    await _close(users)
    stored = world("check", prepared["competition_id"])
    return {
        "bidders": count,
        "lead": lead,
        "after": after,
        "closes_at": closes["closes_at"],
        "outcomes": outcomes,
        "server_errors": server_errors,
        "sends_accepted": sum(b.submits_seen for b in bidders),
        "stored": {k: v for k, v in stored.items() if k not in ("submitted_digests", "bid_of")},
        "told_sent_not_stored": abs(stored["submitted_receipts"] - sum(b.submits_seen for b in bidders)),
    }


# --- R4: crashes during a submission storm ---------------------------------------------------


async def r4(service: servers.Server, floor: servers.Server) -> dict:
    count = env_int("R4_BIDDERS", 30)
    kills = env_int("R4_KILLS", 8)
    every = env_float("R4_KILL_EVERY_SECONDS", 4)
    prepared = world("prepare", count, 3600)
    users = await _signed_in(service.url, prepared["bidders"], prepared["password"])
    bidders = [Bidder(u, e, prepared["competition_id"]) for u, e in zip(users, prepared["bidders"], strict=True)]
    stop = asyncio.Event()
    outcomes: dict[str, int] = {}
    killed = {"workers": 0, "masters": 0}

    async def run(bidder: Bidder) -> None:
        while not stop.is_set():
            _sample, outcome = await bidder.act(read_receipt=True)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if outcome == "error":
                await asyncio.sleep(0.2)

    async def killer() -> None:
        for number in range(kills):
            await asyncio.sleep(every)
            if number % 4 == 3:
                service.kill_master()
                killed["masters"] += 1
                await asyncio.to_thread(service.start)
            else:
                pids = service.worker_pids()
                if pids:
                    os.kill(random.choice(pids), signal.SIGKILL)  # noqa: S311
                    killed["workers"] += 1
        await asyncio.sleep(every)
        stop.set()

    await asyncio.gather(killer(), *(run(b) for b in bidders))
    await _close(users)
    stored = world("check", prepared["competition_id"])
    known = set(stored["submitted_digests"])
    bid_of = stored["bid_of"]
    receipts_seen = [(bid_of[b.email], digest) for b in bidders for digest in b.digests]
    return {
        "bidders": count,
        "killed": killed,
        "outcomes": outcomes,
        "receipts_seen": len(receipts_seen),
        "receipts_not_stored": sum(1 for pk, digest in receipts_seen if f"{pk}:{digest}" not in known),
        "stored": {k: v for k, v in stored.items() if k not in ("submitted_digests", "bid_of")},
    }


# --- R7: soak --------------------------------------------------------------------------------


async def r7(service: servers.Server, floor: servers.Server) -> dict:
    seconds = env_float("SOAK_SECONDS", 120)
    readers = env_int("R7_READERS", 8)
    count = env_int("R7_BIDDERS", 8)
    prepared = world("prepare", count, 24 * 3600)
    users = await _signed_in(service.url, prepared["bidders"], prepared["password"])
    bidders = [Bidder(u, e, prepared["competition_id"]) for u, e in zip(users, prepared["bidders"], strict=True)]
    anonymous = [User(service.url) for _ in range(readers)]
    paths = ["/", "/public/opportunities/", "/insights/who-takes-part/", "/api/v1/suppliers", "/join/register/"]
    samples: list[Sample] = []
    memory: list[tuple[float, float]] = []
    started = time.perf_counter()
    until = started + seconds

    async def read(user: User) -> None:
        while time.perf_counter() < until:
            path = random.choice(paths)  # noqa: S311
            samples.append(await timed(lambda p=path: user.get(p), lambda r: r.status_code == 200))

    async def bid(bidder: Bidder) -> None:
        while time.perf_counter() < until:
            sample, _outcome = await bidder.act()
            samples.append(sample)

    async def watch() -> None:
        while time.perf_counter() < until:
            memory.append((time.perf_counter() - started, service.worker_rss_mb()))
            await asyncio.sleep(5)

    await asyncio.gather(watch(), *(read(u) for u in anonymous), *(bid(b) for b in bidders))
    await _close([*users, *anonymous])
    summary = summarise(samples, time.perf_counter() - started)
    # The slope after the first quarter: workers grow while they first load code and fill caches.
    settled = [(x, y) for x, y in memory if x >= seconds / 4]
    return {
        "seconds": seconds,
        "requests": summary.requests,
        "errors": summary.errors,
        "server_errors": summary.server_errors,
        "rss_start": memory[0][1] if memory else math.nan,
        "rss_end": memory[-1][1] if memory else math.nan,
        "rss_slope_mb_per_min": slope(settled) * 60,
    }


WORKLOADS = {"P5": p5, "P1": p1, "R3": r3, "R4": r4, "R7": r7}
