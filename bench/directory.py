"""Find Local Help's query in-process: one page of the directory for typical searches.

    BENCH_PG_DB=bench_directory python -m bench.directory --agents 100000 --searches 300

Times `directory.services.find_listings` (one page nearest first with the total in the radius,
then the page's languages) for searches from random ZIP codes: a dense state within 25 miles,
a sparse state within 100 miles, a dense state in Spanish, and a deep page (page 5 of a
dense state within 100 miles: the most rows counted and skipped). pgbench runs right
before and after in the same process, so each figure is also given as a multiple of the
machine's pgbench latency (see bench/pgbench.py).
"""

import argparse
import os
import random
import time
from typing import Any

from bench.common import median, percentile, setup_django, summary

DENSE = ("TX", "FL")
SPARSE = ("WY", "AK", "MT", "ND", "SD")
# (name, states searched from, radius in miles, language, page)
SEARCHES = [
    ("dense_25mi", DENSE, 25, "", 1),
    ("sparse_100mi", SPARSE, 100, "", 1),
    ("dense_25mi_es", DENSE, 25, "es", 1),
    ("dense_100mi_page5", DENSE, 100, "", 5),
]


def run_once(count: int, seed: int) -> dict[str, float]:
    from agentmatch.core.geo import zips_in_state
    from agentmatch.directory.search import parse_search
    from agentmatch.directory.services import find_listings

    rng = random.Random(seed)
    figures: dict[str, float] = {}
    for name, states, radius, language, page in SEARCHES:
        places = [p for s in states for p in zips_in_state(s)]
        times, found = [], []
        for _ in range(count):
            search = parse_search(
                zip_code=rng.choice(places).zip_code, radius=radius, language=language, page=page
            )
            t0 = time.perf_counter()
            result = find_listings(search=search)
            times.append((time.perf_counter() - t0) * 1000)
            found.append(result.total)
        figures[f"{name}_p50_ms"] = median(times)
        figures[f"{name}_p99_ms"] = percentile(times, 99)
        figures[f"{name}_agents_p50"] = median([float(n) for n in found])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=300, help="per kind of search")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pgbench-seconds", type=int, default=10, help="0: no pgbench")
    parser.add_argument("--keep", action="store_true", help="reuse an existing bench database")
    args = parser.parse_args()

    from bench import dataset
    from bench.pgbench import measure

    dataset.create_database("pg", keep=args.keep)
    setup_django("pg")
    loaded = dataset.populate(agents=args.agents)
    print(f"[pg] population: {loaded}", flush=True)
    run_once(30, seed=1)  # warm-up: caches, connections, query plans
    yardstick = [measure(seconds=args.pgbench_seconds)] if args.pgbench_seconds else []
    runs = []
    for run in range(args.runs):
        figures = run_once(args.searches, seed=100 + run)
        print(f"[pg] run {run + 1}: " + ", ".join(f"{k}={v:.2f}" for k, v in figures.items()))
        runs.append(figures)
    if args.pgbench_seconds:
        yardstick.append(measure(seconds=args.pgbench_seconds))
    result: dict[str, Any] = {k: round(median([r[k] for r in runs]), 2) for k in runs[0]}
    if yardstick:
        latency = median([y["latency_ms"] for y in yardstick])
        result["pgbench_tps"] = [y["tps"] for y in yardstick]
        result["pgbench_latency_ms"] = [y["latency_ms"] for y in yardstick]
        for name, *_ in SEARCHES:
            result[f"{name}_p50_x_pgbench"] = round(result[f"{name}_p50_ms"] / latency, 3)
    summary(
        "directory",
        backend="pg",
        agents=args.agents,
        searches=args.searches,
        runs=args.runs,
        load_seconds=loaded["load_seconds"],
        load_avg_1m=round(os.getloadavg()[0], 1),
        **result,
    )


if __name__ == "__main__":
    main()
