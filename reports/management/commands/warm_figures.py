import time

from django.core.management.base import BaseCommand, CommandError

from coverage_site.lib.dates import parse_day, today
from reports.dashboards import month_end_before
from reports.indicators.by_commune import warm


class Command(BaseCommand):
    help = (
        "Tính sẵn số liệu của mọi xã cho một ngày (mặc định hôm nay) và cuối tháng trước đó, "
        "để người xem đầu tiên trong ngày không phải chờ. Chạy hằng đêm và sau khi nhập dữ liệu lớn."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default=None, help="dd/mm/yyyy hoặc YYYY-MM-DD (mặc định: hôm nay)")

    def handle(self, *args, as_of=None, **options):
        day = parse_day(as_of) if as_of else today()
        if day is None:
            raise CommandError(f"Ngày không hợp lệ: {as_of!r} (dd/mm/yyyy hoặc YYYY-MM-DD).")
        start = time.perf_counter()
        count = warm([month_end_before(day), day])
        self.stdout.write(
            f"Đã tính sẵn số liệu của {count} xã tại {day:%d/%m/%Y} và {month_end_before(day):%d/%m/%Y} "
            f"trong {time.perf_counter() - start:.1f} giây."
        )
