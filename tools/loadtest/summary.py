"""The load test's figures, as the issue's budget reads them: requests per
second, p50/p95/p99 and errors, for every page and in total (from locust's
--csv output)."""

import csv
import json
import sys
from pathlib import Path


def main(path):
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    print(f"{'page':40} {'requests':>8} {'errors':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for row in rows:
        name = "TOTAL" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        print(
            f"{name[:40]:40} {row['Request Count']:>8} {row['Failure Count']:>6} {float(row['Requests/s']):6.1f}"
            f" {row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
        )
    pages = Path(path).with_name("pages.json")
    if pages.exists():
        # Written by the locustfile: every request but logging in (a person logs in once a day).
        found = json.loads(pages.read_text())
        print(
            f"{'ALL PAGES (exact percentiles)':40} {found['requests']:>8} {found['errors']:>6}"
            f" {found['per_second']:6.1f} {found['p50']:>7} {found['p95']:>7} {found['p99']:>7}"
        )
        logins = found.get("logins") or {}
        print(
            f"measured for {found['seconds']} s once everybody had logged in "
            f"(pauses of {'-'.join(f'{x:g}' for x in found.get('pauses', [1, 3]))} s between actions); "
            f"{logins.get('count', 0)} logins before: median {logins.get('p50')} ms, slowest {logins.get('max')} ms"
        )


if __name__ == "__main__":
    main(sys.argv[1])
