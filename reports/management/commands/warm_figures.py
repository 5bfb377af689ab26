import time

from django.core.management.base import BaseCommand, CommandError

from coverage_site.lib.dates import parse_day, today
from hamlets.models import Commune
from reports import quality
from reports.dashboards import month_end_before
from reports.goals import dates_for
from reports.indicators.by_commune import warm
from reports.models import Goal


class Command(BaseCommand):
    help = (
        "Tính sẵn số liệu của mọi xã cho một ngày (mặc định hôm nay), cuối tháng trước đó "
        "và các ngày mà phần mục tiêu của bảng số liệu đọc, cùng số điểm cần kiểm tra dữ liệu, "
        "để người xem đầu tiên trong ngày không phải chờ. Chạy hằng đêm và sau khi nhập dữ liệu lớn."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default=None, help="dd/mm/yyyy hoặc YYYY-MM-DD (mặc định: hôm nay)")
        parser.add_argument(
            "--months",
            type=int,
            default=0,
            help="và xu hướng N cuối tháng (ví dụ 60: 5 năm) của toàn bộ và từng tỉnh, lưu lại để đọc ngay",
        )

    def handle(self, *args, as_of=None, months=0, **options):
        day = parse_day(as_of) if as_of else today()
        if day is None:
            raise CommandError(f"Ngày không hợp lệ: {as_of!r} (dd/mm/yyyy hoặc YYYY-MM-DD).")
        start = time.perf_counter()
        # The dashboard's dates: the day, the month end before, and its goals band's (reports/goals.py).
        days = sorted({month_end_before(day), day, *dates_for(Goal.objects.filter(active=True), day)})
        count = warm(days)
        # And every commune's data-quality counts for today (the dashboards' "N điểm cần kiểm tra").
        quality.counts_by_commune(Commune.objects.values_list("pk", flat=True), today())
        self.stdout.write(
            f"Đã tính sẵn số liệu của {count} xã tại {', '.join(f'{d:%d/%m/%Y}' for d in days)} "
            f"trong {time.perf_counter() - start:.1f} giây."
        )
        if months:
            start = time.perf_counter()
            warm_trend(day, months)
            self.stdout.write(f"Đã tính sẵn xu hướng {months} cuối tháng trong {time.perf_counter() - start:.1f} giây.")


def warm_trend(day, months):
    """The installation's trend of `months` month ends (each commune's month
    ends stored, each province's sums kept: unit_sums.py)."""
    from reports.dashboards import recent_month_ends
    from reports.indicators import root_unit
    from reports.indicators.unit_sums import month_end_totals

    month_end_totals(root_unit(), recent_month_ends(day, months))
