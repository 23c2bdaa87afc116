"""Speed, measured. Run with `make bench` (not part of `make test`).

For each scale it keeps a generated national world in var/bench-scale-N.sqlite3 (built once by
`generate_national_data` with a fixed seed and date, then reused), and runs bench/measure.py in a
fresh process against it:

- scale 1: every selector under test (eligibility, each insight) against the same answer from one
  hand-written SQL query, timed in the same run; printed as a ratio (code ÷ floor).
- scales 1 and 10: the full OCDS bulk download, streamed: throughput and peak memory; the referral
  lists (the practitioner's referrals and the provider's inbox) against their floors.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SCALES = [float(s) for s in os.environ.get("BENCH_SCALES", "1,10").split(",")]
TODAY = os.environ.get("BENCH_TODAY", "2026-11-25")


def database_url(scale: float) -> str:
    return f"sqlite:///{ROOT / 'var' / f'bench-scale-{scale:g}.sqlite3'}"


def run(args: list[str], scale: float) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(scale), "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    subprocess.run(args, cwd=ROOT, env=env, check=True)


def main() -> int:
    (ROOT / "var").mkdir(exist_ok=True)
    for scale in SCALES:
        path = ROOT / "var" / f"bench-scale-{scale:g}.sqlite3"
        if not path.exists():
            print(f"Generating the national world at scale {scale:g} (once; kept in {path.name})...", flush=True)
            run([PYTHON, "manage.py", "migrate", "-v0"], scale)
            run(
                [PYTHON, "manage.py", "generate_national_data", "--scale", f"{scale:g}", "--today", TODAY, "--force"],
                scale,
            )
            run([PYTHON, "manage.py", "dbshell", "--", "ANALYZE;"], scale)
        what = "selectors,ocds" if scale == SCALES[0] else "referrals,ocds"
        run([PYTHON, "bench/measure.py", what, f"{scale:g}"], scale)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
