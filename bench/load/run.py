"""`make bench-load`: the service under load beside a bare Django floor, both under gunicorn.

WORKLOADS=P5,P1,R3,R4,R7 (the default: all) chooses what to run; BENCH_ROUNDS (3), BENCH_SCALE (1)
and each workload's own variables (bench/load/workloads.py) size it. On a fresh clone it creates
its two PostgreSQL databases, its keys (var/bench-load/) and the national world, once; later runs
reuse them (BENCH_FRESH=1 drops the databases and builds them again).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import sys
import time

from bench.load import report, servers
from bench.load.workloads import ROUNDS, WORKLOADS, world

SCALE = os.environ.get("BENCH_SCALE", "1")


def prepare() -> None:
    if os.environ.get("BENCH_FRESH") == "1":  # build the world again, from new databases
        servers.drop_database(servers.SERVICE_DB)
        servers.drop_database(servers.FLOOR_DB)
    servers.ensure_database(servers.SERVICE_DB)
    servers.ensure_database(servers.FLOOR_DB)
    env = servers.service_env()
    print("Service database: migrating, collecting static files...", flush=True)
    servers.manage(env, "migrate", "--noinput", "-v0")
    servers.manage(env, "collectstatic", "--noinput", "-v0")
    started = time.monotonic()
    built = world("build", SCALE)
    if built["built"]:
        print(f"Generated the national world at scale {SCALE} in {time.monotonic() - started:.0f} s.", flush=True)
    servers.manage(servers.floor_env(), "migrate", "--noinput", "-v0")


def main() -> int:
    chosen = [w.strip().upper() for w in os.environ.get("WORKLOADS", ",".join(WORKLOADS)).split(",") if w.strip()]
    unknown = [w for w in chosen if w not in WORKLOADS]
    if unknown:
        print(f"Unknown workloads {unknown}; choose from {', '.join(WORKLOADS)}", file=sys.stderr)
        return 2
    began = time.monotonic()
    prepare()
    service = servers.Server("service", "config.wsgi:application", servers.service_env())
    floor = servers.Server("floor", "bench.floor.wsgi:application", servers.floor_env())
    results: dict[str, tuple[dict, dict]] = {}
    try:
        service.start()
        floor.start()
        for name in chosen:
            print(f"{name}...", flush=True)
            load_before = os.getloadavg()
            started = time.monotonic()
            result = asyncio.run(WORKLOADS[name](service, floor))
            if service.process is None:  # R4 may leave it stopped between kills
                service.start()
            meta = {
                "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "cpus": os.cpu_count(),
                "scale": SCALE,
                "rounds": ROUNDS if name in ("P5", "P1") else None,  # R3, R4, R7 run once
                "workers": servers.WORKERS,
                "worker_class": servers.WORKER_CLASS,
                "load_before": load_before,
                "load_after": os.getloadavg(),
                "minutes": (time.monotonic() - started) / 60,
            }
            results[name] = (result, meta)
            (servers.VAR / f"result-{name}.json").write_text(json.dumps({"result": result, "meta": meta}, default=str))
    finally:
        service.stop()
        floor.stop()
    printed = report.write(servers.ROOT / "docs" / "performance.md", results)
    print(printed)
    print(f"\nmake bench-load took {(time.monotonic() - began) / 60:.1f} minutes; docs/performance.md updated.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
