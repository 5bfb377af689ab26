"""Measure the national budgets on the data in the database (make benchmark-national).

Prints one line per budget of the national issue, with what was measured and
whether the budget held; asserts nothing. Server times are through the whole
Django stack (test client, the configured cache), medians of --repeat runs
where a case can be repeated. The import's time and memory are measured by
the Makefile (/usr/bin/time) and read from --import-log; the load test runs
after this command (tools/loadtest).
"""

import datetime
import io
import re
import statistics
import time
from pathlib import Path

from django.core.management.base import BaseCommand

from hamlets.models import Commune, Hamlet, Member, Province


class Command(BaseCommand):
    help = "Đo các ngưỡng tốc độ của bản cài đặt toàn quốc (in số liệu, không kiểm tra)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default="2026-06-30", help="YYYY-MM-DD")
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--import-log", default=None, help="tệp có dòng 'import: X s wall clock, Y KB peak memory'")
        parser.add_argument(
            "--province",
            action="append",
            help="mã tỉnh đo bảng số liệu lúc chưa có gì sẵn (mặc định: tỉnh có số xã ở giữa và tỉnh nhiều xã nhất)",
        )

    def handle(self, *args, as_of, repeat, import_log, province, **options):
        from django.conf import settings
        from django.db import connection

        self.day = datetime.date.fromisoformat(as_of)
        self.repeat = repeat
        self.rows = []
        self.stdout.write(
            f"database: {connection.vendor}; cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
            f"provinces {Province.objects.active_on(self.day).count()} (of {Province.objects.count()}), "
            f"communes {Commune.objects.count()}, hamlets {Hamlet.objects.count()}, members {Member.objects.count()}; "
            f"as of {self.day}"
        )
        self.stdout.write(f"this machine's speed: {machine_speed():.2f} s for 10 million steps of a Python loop")
        self.client = self.viewer_client()
        if import_log and Path(import_log).exists():
            text = Path(import_log).read_text()
            found = re.search(r"import: ([\d.]+) s wall clock, (\d+) KB", text)
            together = re.search(r"cùng lúc: tối đa (\d+) MB", text)  # import_data --jobs: its processes together
            if found:
                seconds, kb = float(found[1]), int(found[2])
                kb = max(kb, int(together[1]) * 1024 if together else 0)
                self.row(
                    "import_data of the nation",
                    f"{seconds / 60:.1f} min, {kb / 1024:.0f} MB",
                    "< 15 min, < 2 GB",
                    seconds < 15 * 60 and kb < 2 * 1024 * 1024,
                )
        self.warm_up()
        self.national_dashboard()
        for code in province or self.typical_provinces():
            self.province_cold(code)
        self.trend()
        self.stdout.write("")
        self.stdout.write(f"| {'what':62} | {'measured':34} | {'budget':18} | held |")
        self.stdout.write(f"| {'-' * 62} | {'-' * 34} | {'-' * 18} | ---- |")
        for what, measured, budget, held in self.rows:
            self.stdout.write(f"| {what:62} | {measured:34} | {budget:18} | {'yes' if held else 'NO':4} |")

    # --- helpers ------------------------------------------------------------------------

    def row(self, what, measured, budget, held):
        self.rows.append((what, measured, budget, held))
        self.stdout.write(f"{what}: {measured} (budget {budget}) {'held' if held else 'NOT HELD'}")

    def viewer_client(self):
        from django.contrib.auth.models import User
        from django.test import Client

        from hamlets.models import Profile, Role

        user, _created = User.objects.get_or_create(username="benchmark-national-viewer")
        Profile.objects.get_or_create(user=user, defaults={"role": Role.PROVINCIAL_VIEWER})
        client = Client()
        client.force_login(user)
        return client

    def get(self, url, **params):
        start = time.perf_counter()
        response = self.client.get(url, {"as_of": self.day.strftime("%d/%m/%Y"), **params}, HTTP_HOST="localhost")
        assert response.status_code == 200, (url, response.status_code)
        return time.perf_counter() - start

    def times(self, run, count=None):
        return [run() for _ in range(count or self.repeat)]

    # --- cases --------------------------------------------------------------------------

    def warm_up(self):
        """Every commune's figures from nothing: what `warm_figures` does at night and after an import."""
        from django.core.cache import cache
        from django.core.management import call_command

        from reports.models import CommuneMonthEnd

        cache.clear()
        CommuneMonthEnd.objects.all().delete()
        output = io.StringIO()
        start = time.perf_counter()
        call_command("warm_figures", "--as-of", self.day.isoformat(), "--jobs", "2", stdout=output)
        seconds = time.perf_counter() - start
        # The command times its two steps: the figures, then the data checks' counts.
        figures, checks = (float(found) for found in re.findall(r"trong ([\d.]+) giây", output.getvalue()))
        self.row(
            "every commune's figures from nothing (warm_figures --jobs 2)", f"{figures:.1f} s", "< 60 s", figures < 60
        )
        self.stdout.write(
            f"(then every commune's data-check counts: {checks:.1f} s; the whole warm-up {seconds:.1f} s)"
        )

    def national_dashboard(self):
        from django.db import transaction

        from hamlets.models import Membership

        self.get("/dashboard/province/all/")  # draws and keeps the body
        cached = self.times(lambda: self.get("/dashboard/province/all/"))
        median = statistics.median(cached)
        self.row(
            "national dashboard, figures cached",
            f"{median * 1000:.0f} ms (median of {len(cached)})",
            "< 300 ms",
            median < 0.3,
        )

        def after_one_edit():
            with transaction.atomic():  # a clerk's save: its commune's version moves on, its figures are refreshed
                membership = Membership.objects.order_by("pk").first()
                membership.save()
            return self.get("/dashboard/province/all/")

        edited = self.times(after_one_edit, 3)
        median = statistics.median(edited)
        self.row(
            "national dashboard right after one clerk's edit",
            f"{median * 1000:.0f} ms (median of 3)",
            "< 1 s",
            median < 1.0,
        )

    def typical_provinces(self):
        """The province of median size (communes) and the largest."""
        from django.db.models import Count

        sizes = list(Province.objects.active_on(self.day).annotate(size=Count("communes")).order_by("size", "code"))
        return [sizes[len(sizes) // 2].code, sizes[-1].code]

    def province_cold(self, code):
        """A province's dashboard with nothing cached or stored (its communes computed from the states)."""
        from django.core.cache import cache

        from reports.models import CommuneMonthEnd

        province = Province.objects.get(code=code)
        communes = Commune.objects.filter(province=province)
        seconds = []
        for _ in range(3):
            cache.clear()
            CommuneMonthEnd.objects.filter(commune__in=communes).delete()
            seconds.append(self.get(f"/dashboard/province/{code}/"))
        median = statistics.median(seconds)
        self.row(
            f"a province dashboard, cold ({province.name}, {communes.count()} communes)",
            f"{median:.2f} s (median of 3)",
            "< 2 s",
            median < 2.0,
        )
        # The cache emptied (a Redis restart, a deployment that changes the
        # figures' code keeps no cache entry), the stored month ends kept:
        # they are in the database like the records, and the dates this
        # dashboard reads at a month end are all month ends.
        seconds = []
        for _ in range(3):
            cache.clear()
            seconds.append(self.get(f"/dashboard/province/{code}/"))
        median = statistics.median(seconds)
        self.row(
            "  the same, cache emptied, stored month ends kept",
            f"{median:.2f} s (median of 3)",
            "< 2 s",
            median < 2.0,
        )
        # The national figures lost with the cache are warmed again by the trend's warm-up below.

    def trend(self):
        """The national trend of 60 month ends, from the page (period=60)."""
        from django.core.cache import cache
        from django.core.management import call_command
        from django.db import transaction

        from hamlets.models import Membership

        start = time.perf_counter()
        # The background warm-up that stores every commune's 60 month ends and each province's sums.
        call_command(
            "warm_figures",
            "--as-of",
            self.day.isoformat(),
            "--months",
            "60",
            "--jobs",
            "2",
            stdout=open("/dev/null", "w"),  # noqa: SIM115
        )
        first = time.perf_counter() - start
        self.stdout.write(f"(warm_figures --months 60 --jobs 2: every commune's 60 month ends stored: {first:.1f} s)")
        self.get("/dashboard/province/all/trend/", period="60")
        kept = statistics.median(self.times(lambda: self.get("/dashboard/province/all/trend/", period="60")))
        self.row("national 5-year trend of month ends (page)", f"{kept * 1000:.0f} ms (median)", "< 500 ms", kept < 0.5)

        def after_one_edit():
            with transaction.atomic():
                membership = Membership.objects.order_by("pk").first()
                membership.save()
            return self.get("/dashboard/province/all/trend/", period="60")

        edited = statistics.median(self.times(after_one_edit, 3))
        self.row(
            "national 5-year trend right after one edit",
            f"{edited * 1000:.0f} ms (median of 3)",
            "(< 500 ms)",
            edited < 0.5,
        )
        cache.clear()
        flushed = self.get("/dashboard/province/all/trend/", period="60")
        self.stdout.write(f"(5-year trend after a cache flush, from the stored month ends: {flushed:.2f} s)")


def machine_speed():
    """Seconds for a fixed piece of pure Python work (best of 3): machines of
    the same kind differ (the same code measured 2.5 times slower on one
    than another), so the figures are compared with this beside them."""
    best = None
    for _ in range(3):
        start, total = time.perf_counter(), 0
        for step in range(10_000_000):
            total += step
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
    return best
