import time

from django.core.management.base import BaseCommand, CommandError

from coverage_site.lib.dates import parse_day, today
from hamlets.models import Commune
from reports import quality
from reports.dashboards import month_end_before
from reports.goals import dates_for
from reports.indicators.by_commune import warm
from reports.models import Goal

# Communes read together (one StateReader): half the generated country's
# 3,321 takes about 400 MB.
CHUNK = 2000


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

        parser.add_argument(
            "--jobs", type=int, default=1, help="số tiến trình tính cùng lúc (mỗi tiến trình một phần các xã)"
        )
        parser.add_argument(
            "--chunk",
            type=int,
            default=CHUNK,
            help=f"số xã đọc cùng một lượt (mặc định {CHUNK}: ít lượt nhanh hơn, nhiều xã một lượt tốn bộ nhớ hơn)",
        )

    def handle(self, *args, as_of=None, months=0, jobs=1, chunk=CHUNK, **options):
        day = parse_day(as_of) if as_of else today()
        if day is None:
            raise CommandError(f"Ngày không hợp lệ: {as_of!r} (dd/mm/yyyy hoặc YYYY-MM-DD).")
        start = time.perf_counter()
        # The dashboard's dates: the day, the month end before, and its goals band's (reports/goals.py).
        days = sorted({month_end_before(day), day, *dates_for(Goal.objects.filter(active=True), day)})
        pks = sorted(Commune.objects.values_list("pk", flat=True))
        # Figures first, in `jobs` parts of neighbouring communes (pks follow
        # the import, province by province), each read `chunk` communes at a
        # time: few large readings let the database scan the tables instead of
        # looking up every membership (measured on the country: 40 communes a
        # reading, 122 s in one process; half the country a reading, 26 s).
        size = -(-len(pks) // max(1, jobs))
        parts = [pks[n : n + size] for n in range(0, len(pks), size)]
        count = sum(_in_processes(_warm_part, [(days, "figures", part, chunk) for part in parts], jobs))
        self.stdout.write(
            f"Đã tính sẵn số liệu của {count} xã tại {', '.join(f'{d:%d/%m/%Y}' for d in days)} "
            f"trong {time.perf_counter() - start:.1f} giây."
        )
        # Then the data checks of every commune at once (one pass over the
        # tables; a scope of many communes is far slower).
        start = time.perf_counter()
        _warm_part(days, "quality", pks)
        self.stdout.write(f"Đã đếm các điểm cần kiểm tra dữ liệu trong {time.perf_counter() - start:.1f} giây.")
        if months:
            start = time.perf_counter()
            warm_trend(day, months, jobs)
            self.stdout.write(f"Đã tính sẵn xu hướng {months} cuối tháng trong {time.perf_counter() - start:.1f} giây.")


def warm_trend(day, months, jobs=1):
    """The installation's trend of `months` month ends (each commune's month
    ends stored, each province's sums kept: unit_sums.py); with several
    provinces and jobs, the provinces are shared between processes first."""
    from hamlets.models import Province
    from reports.dashboards import recent_month_ends
    from reports.indicators import root_unit, several_provinces
    from reports.indicators.unit_sums import month_end_totals

    days = recent_month_ends(day, months)
    if jobs > 1 and several_provinces():
        codes = sorted(Province.objects.values_list("code", flat=True))
        _in_processes(_trend_part, [(days, [code]) for code in codes], jobs)
    month_end_totals(root_unit(), days)


def _trend_part(days, codes):
    from reports.indicators import get_unit
    from reports.indicators.unit_sums import month_end_totals

    for code in codes:
        month_end_totals(get_unit("province", code), days)


def _warm_part(days, what, pks, chunk=CHUNK):
    """Some communes' figures for `days` (returns their number), or their
    data-quality counts for today (the dashboards' "N điểm cần kiểm tra")."""
    if what == "quality":
        quality.counts_by_commune(pks, today())
        return 0
    return warm(days, chunk=chunk, communes=pks)


def _in_processes(function, arguments, jobs):
    """function(*args) for each of `arguments`, in `jobs` forked processes
    (the cache and the database are shared, so what each computes is kept
    for all), or here with one job: [results]."""
    if jobs <= 1:
        return [function(*args) for args in arguments]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from django.db import connections

    connections.close_all()  # each process opens its own connection
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(function, *zip(*arguments, strict=True)))
