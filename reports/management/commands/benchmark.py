"""Measure the indicator engine on the data in the database (see docs/benchmarks.md).

Prints wall-clock times (best and median of --repeat runs) and query counts;
it asserts nothing. Budgets (issue: indicator engine) on the generated province:
all indicators for the province < 1 s, --by-child for all communes < 2 s.
"""

import datetime
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hamlets.models import Branch, Commune, Hamlet, Member
from reports import indicators


class Command(BaseCommand):
    help = "Đo thời gian tính chỉ tiêu toàn tỉnh (in số liệu, không kiểm tra)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (mặc định: hôm nay)")
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, as_of, repeat, **options):
        day = datetime.date.fromisoformat(as_of) if as_of else datetime.date.today()
        province = indicators.get_unit("province", "all")
        self.stdout.write(
            f"database: {connection.vendor}; communes {Commune.objects.count()}, hamlets {Hamlet.objects.count()}, "
            f"branches {Branch.objects.count()}, members {Member.objects.count()}; as of {day}"
        )
        cases = [
            ("province, all indicators", lambda: indicators.compute(province, day)),
            ("province, all indicators, area=special", lambda: indicators.compute(province, day, "special")),
            ("province --by-child (all child units)", lambda: indicators.compute(province, day, by_child=True)),
            (
                "drill-down rows of branches_at_risk",
                lambda: len(list(indicators.numerator_rows("branches_at_risk", province, day))),
            ),
        ]
        cases += self.page_cases(day)
        for label, run in cases:
            times = []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as context:
                    start = time.perf_counter()
                    run()
                    times.append(time.perf_counter() - start)
            self.stdout.write(
                f"{label:55} best {min(times):6.3f} s  median {statistics.median(times):6.3f} s  "
                f"queries {len(context.captured_queries)}"
            )

    def page_cases(self, day):
        """Server time of the dashboard pages, through the full Django stack."""
        from django.contrib.auth.models import User
        from django.core.cache import cache
        from django.test import Client

        from hamlets.models import Profile, Role

        user, _created = User.objects.get_or_create(username="benchmark-viewer")
        Profile.objects.get_or_create(user=user, defaults={"role": Role.PROVINCIAL_VIEWER})
        client = Client()
        client.force_login(user)
        as_of = day.strftime("%d/%m/%Y")

        def get(url):
            response = client.get(url, {"as_of": as_of}, HTTP_HOST="localhost")
            assert response.status_code == 200, response.status_code

        def trend_cold():
            cache.clear()
            get("/dashboard/province/all/trend/")

        return [
            ("page: province dashboard", lambda: get("/dashboard/province/all/")),
            ("page: province 12-month trend, empty cache", trend_cold),
            ("page: province 12-month trend, cached month ends", lambda: get("/dashboard/province/all/trend/")),
        ]
