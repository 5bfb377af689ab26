"""The load test's figures, as the issue's budget reads them: requests per
second, p50/p95/p99 and errors, for every page and in total (from locust's
--csv output)."""

import csv
import sys


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


if __name__ == "__main__":
    main(sys.argv[1])
