"""Measure the indicator engine on the data in the database (see docs/benchmarks.md).

Prints wall-clock times (best and median of --repeat runs) and query counts;
it asserts nothing. Budgets (issue: indicator engine) on the generated province:
all indicators for the province < 1 s, --by-child for all communes < 2 s.
"""

import datetime
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from hamlets.models import Branch, Commune, Hamlet, Member
from reports import indicators

# The benchmark's mergers: after the generated province's communes were founded (1/7/2025).
MERGER_DAY = datetime.date(2026, 1, 1)


class Command(BaseCommand):
    help = "Đo thời gian tính chỉ tiêu toàn tỉnh (in số liệu, không kiểm tra)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (mặc định: hôm nay)")
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument(
            "--reorganise",
            type=int,
            default=0,
            help="trước khi đo, sáp nhập N cặp xã (1/7/2025) để đo số liệu quy về đơn vị hiện nay",
        )

    def handle(self, *args, as_of, repeat, reorganise, **options):
        day = datetime.date.fromisoformat(as_of) if as_of else datetime.date.today()
        province = indicators.get_unit("province", "all")
        if reorganise:
            self.merge_communes(reorganise)
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
        # As they were and restated on today's units, at a date before the mergers.
        before = MERGER_DAY - datetime.timedelta(days=1)
        merged = Commune.objects.filter(code__startswith="BENCH-").order_by("code").first()
        for label, unit in (
            ("province", province),
            ("a merged commune", merged and indicators.get_unit("commune", merged.code)),
        ):
            if unit is None:
                continue
            for restated in (False, True):
                view = "restated" if restated else "as they were"
                cases.append(
                    (
                        f"{label} --by-child {before}, {view}",
                        lambda unit=unit, restated=restated: indicators.compute(
                            unit, before, by_child=True, restated=restated
                        ),
                    )
                )
        if merged is not None:
            # The same records as the merged commune restated: its predecessors as they were.
            from hamlets.models import LineageLink

            old = [
                indicators.get_unit("commune", code)
                for code in LineageLink.objects.filter(to_commune=merged).values_list("from_commune__code", flat=True)
            ]
            cases.append(
                (
                    f"its {len(old)} predecessors --by-child {before}, as they were",
                    lambda: [indicators.compute(unit, before, by_child=True) for unit in old],
                )
            )
        cases += self.import_cases()
        cases += self.page_cases(day)
        for label, run in cases:
            times = []
            for _ in range(repeat):
                # A full query log (9,000 entries, after the mergers) would make every count 0.
                reset_queries()
                with CaptureQueriesContext(connection) as context:
                    start = time.perf_counter()
                    measured = run()
                    # A case may time its own part (the view after an edit, not the edit).
                    times.append(measured if isinstance(measured, float) else time.perf_counter() - start)
            self.stdout.write(
                f"{label:55} best {min(times):6.3f} s  median {statistics.median(times):6.3f} s  "
                f"queries {len(context.captured_queries)}"
            )

    def import_cases(self):
        """A clerk's upload: 10 member rows (one changed) checked (dry run) and
        imported (rolled back); 10,000 rows checked. Peak Python memory of
        each is printed once (tracemalloc)."""
        import tracemalloc

        from django.db import transaction

        from hamlets.exchange import import_sheets
        from hamlets.exchange.exporter import export_tables
        from hamlets.exchange.files import RawSheet
        from hamlets.exchange.schema import SHEET_BY_NAME

        sheet = SHEET_BY_NAME["members"]
        header = [c.key for c in sheet.columns]
        exported = export_tables([sheet])["members"][1]  # as a clerk's file would have them

        def rows(count):
            data = [list(row) for row in exported[:count]]
            column = header.index("ethnicity")
            data[0][column] = "Tày" if data[0][column] != "Tày" else "Kinh"  # one changed record
            return [RawSheet("members", header, list(enumerate(data, start=2)))]

        small, large = rows(10), rows(10_000)

        def real_import():
            with transaction.atomic():
                result = import_sheets(small)
                transaction.set_rollback(True)
            return result

        def measured(label, run):
            tracemalloc.start()
            result = run()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            self.stdout.write(
                f"{label}: {'ok' if result.ok else result.errors[:1]}, {result.rows_read} stored records read, "
                f"peak {peak / 1e6:.0f} MB (Python allocations)"
            )

        measured("upload of 10 rows, preview", lambda: import_sheets(small, dry_run=True))
        measured("upload of 10,000 rows, preview", lambda: import_sheets(large, dry_run=True))
        return [
            ("upload of 10 member rows, preview (dry run)", lambda: import_sheets(small, dry_run=True)),
            ("upload of 10 member rows, confirm (rolled back)", real_import),
            ("upload of 10,000 member rows, preview (dry run)", lambda: import_sheets(large, dry_run=True)),
        ]

    def merge_communes(self, pairs):
        """Merge `pairs` pairs of communes into new ones on MERGER_DAY, through
        the same code an administrator uses; prints the time each took."""
        from hamlets import reorganise
        from hamlets.models import Reorganisation

        july = MERGER_DAY
        if Reorganisation.objects.filter(code__startswith="BENCH-", status="applied").exists():
            self.stdout.write("mergers already applied by an earlier run")
            return
        Reorganisation.objects.filter(code__startswith="BENCH-").delete()
        communes = list(Commune.objects.active_on(july).order_by("code").values_list("code", flat=True))
        times = []
        for index in range(min(pairs, len(communes) // 2)):
            first, second = communes[2 * index], communes[2 * index + 1]
            event = Reorganisation.objects.create(
                code=f"BENCH-{index:03d}",
                kind="merge",
                level="commune",
                effective_on=july,
                act_number="1/NQ-BENCH",
                act_date=MERGER_DAY,
                act_issuer="HĐND tỉnh",
                content={"from": [first, second], "to": [{"code": f"BENCH-{index:03d}", "name": f"Xã mới {index}"}]},
            )
            start = time.perf_counter()
            reorganise.apply(event)
            times.append(time.perf_counter() - start)
        self.stdout.write(
            f"applied {len(times)} commune mergers: median {statistics.median(times):.3f} s, max {max(times):.3f} s"
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

        def get(url, **params):
            response = client.get(url, {"as_of": as_of, **params}, HTTP_HOST="localhost")
            assert response.status_code == 200, response.status_code

        def trend_cold():
            # Nothing kept anywhere: neither the cache nor the stored month ends.
            from reports.models import CommuneMonthEnd

            cache.clear()
            CommuneMonthEnd.objects.all().delete()
            get("/dashboard/province/all/trend/")

        def trend_stored():
            # The cache lost (a flush, an eviction); the stored month ends remain.
            cache.clear()
            get("/dashboard/province/all/trend/")

        def one_edit():
            # A clerk's edit: one membership saved again bumps its commune's
            # version (reports/versions.py); after the commit its figures are
            # computed for the dates dashboards read lately (by_commune.refresh).
            from django.db import transaction

            from hamlets.models import Membership

            with transaction.atomic():
                membership = Membership.objects.order_by("pk").first()
                membership.save()

        def after_one_edit():
            one_edit()
            start = time.perf_counter()
            get("/dashboard/province/all/")
            return time.perf_counter() - start  # the view only, not the edit

        def cold():
            from reports.models import CommuneMonthEnd

            cache.clear()
            CommuneMonthEnd.objects.all().delete()
            get("/dashboard/province/all/")

        commune = Commune.objects.filter(hamlets__isnull=False).order_by("code").first()
        clerk, _created = User.objects.get_or_create(username="benchmark-clerk")
        Profile.objects.update_or_create(user=clerk, defaults={"role": Role.DISTRICT_STAFF, "commune": commune})
        clerk_client = Client()
        clerk_client.force_login(clerk)
        hamlet = Hamlet.objects.filter(commune=commune).order_by("code").first()
        member = Member.objects.filter(residence_hamlet=hamlet).order_by("code").first()

        def page(url, who=client, **params):
            def run():
                response = who.get(url, params, HTTP_HOST="localhost")
                assert response.status_code == 200, (url, response.status_code)

            return run

        return [
            ("page: member list, province viewer, search", page("/members/", q="nguyen van")),
            ("page: member list, a commune's clerk, page 2", page("/members/", clerk_client, page=2)),
            ("page: a hamlet's record page", page(f"/hamlets/{hamlet.code}/")),
            ("page: a member's record page, the clerk", page(f"/members/{member.code}/", clerk_client)),
            ("page: drill-down of a commune", page(f"/dashboard/commune/{commune.code}/branches_at_risk/")),
            ("page: province dashboard, empty cache", cold),
            ("page: province dashboard, data unchanged", lambda: get("/dashboard/province/all/")),
            ("a clerk's edit: save, commit, its commune's figures", one_edit),
            ("page: province dashboard, right after one edit", after_one_edit),
            ("page: province dashboard, restated", lambda: get("/dashboard/province/all/", view="restated")),
            ("page: province 12-month trend, empty cache", trend_cold),
            ("page: province 12-month trend, empty cache, stored month ends", trend_stored),
            ("page: province 12-month trend, cached month ends", lambda: get("/dashboard/province/all/trend/")),
        ]
