"""The whole hostile-input corpus (tests/hostile/corpus.py, more sizes than the test) through
the CLI, each case in its own process with a time and memory limit; prints per family the
cases tried, clear refusals, accepted, tracebacks, partial outputs, hangs and exit-1 cases.

    .venv/bin/python benchmarks/hostile_inputs.py [--markdown] [--timeout 60] [--family images]

Every case that breaks an invariant or its expectation is listed after the table.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if "SPEEDLINES_CACHE" not in os.environ:  # a throwaway cache, removed at exit
    os.environ["SPEEDLINES_CACHE"] = tempfile.mkdtemp(prefix="speedlines-cache-")
    atexit.register(shutil.rmtree, os.environ["SPEEDLINES_CACHE"], ignore_errors=True)

from tests.hostile import corpus  # noqa: E402

COLUMNS = (
    "tried",
    "refused",
    "accepted",
    "tracebacks",
    "partial",
    "hangs",
    "exit 1",
    "as expected",
)
HEADER = ("family", "cases tried", "clear refusals (exit 2)", "accepted (exit 0)", "tracebacks",
          "partial outputs", "hangs", "exit 1", "as expected")  # fmt: skip


def run_case(case: corpus.Case, timeout: float) -> tuple[corpus.Verdict, corpus.Run]:
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        folder = Path(tmp)
        try:
            argv = case.setup(folder)
            before = corpus.snapshot(folder)
            run = corpus.run_subprocess(case, folder, argv, timeout)
        finally:
            corpus.release(folder)
        return corpus.judge(case, argv, folder, run, before), run


def tally(verdict: corpus.Verdict) -> Counter:
    c = Counter(tried=1)
    clear = verdict.kind == "refused" and not any(
        p.startswith(("unclear", "refusal without", "no error line")) for p in verdict.problems
    )
    c["refused"] += clear
    c["accepted"] += verdict.kind == "accepted"
    c["tracebacks"] += verdict.kind == "traceback"
    c["partial"] += any(p.startswith(("partial", "stray", "input ")) for p in verdict.problems)
    c["hangs"] += verdict.kind == "hang"
    c["exit 1"] += verdict.kind.startswith("exit-")
    c["as expected"] += verdict.ok
    return c


def table(rows: dict[str, Counter], markdown: bool) -> str:
    total = sum(rows.values(), Counter())
    body = [[name, *(str(c[k]) for k in COLUMNS)] for name, c in [*rows.items(), ("all", total)]]
    if markdown:
        lines = ["| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
        return "\n".join([*lines, *("| " + " | ".join(r) + " |" for r in body)])
    short = ("family", *COLUMNS)
    widths = [max(len(r[i]) for r in [short, *body]) for i in range(len(short))]
    return "\n".join("  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in [short, *body])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", action="store_true", help="print the table as markdown")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before a case hangs")
    ap.add_argument("--family", action="append", help="only these families")
    args = ap.parse_args()
    cases = [
        c for c in corpus.cases() if not c.skip and (not args.family or c.family in args.family)
    ]
    rows: dict[str, Counter] = {}
    failures = []
    for i, case in enumerate(cases, 1):
        verdict, run = run_case(case, args.timeout)
        rows.setdefault(case.family, Counter()).update(tally(verdict))
        status = "ok" if verdict.ok else "; ".join(verdict.problems)
        print(f"[{i}/{len(cases)}] {case.id}: {verdict.kind} in {run.seconds:.1f} s: {status}",
              file=sys.stderr)  # fmt: skip
        if not verdict.ok:
            failures.append(f"{case.id}: {'; '.join(verdict.problems)}")
    print(table(rows, args.markdown))
    if failures:
        print(f"\n{len(failures)} case(s) not as expected:")
        for line in failures:
            print(f"- {line}")


if __name__ == "__main__":
    main()
