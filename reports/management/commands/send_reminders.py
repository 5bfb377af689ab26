from django.core.management.base import BaseCommand, CommandError

from coverage_site.lib.dates import parse_day, today
from reports.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Gửi thư nhắc nộp báo cáo tháng quá hạn, danh sách báo cáo chờ duyệt và báo cáo toàn tỉnh "
        "đã duyệt cho người đăng ký. Chạy hằng ngày (cron); chạy lại trong ngày không gửi trùng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="dd/mm/yyyy hoặc YYYY-MM-DD (mặc định: hôm nay)")
        parser.add_argument("--dry-run", action="store_true", help="chỉ liệt kê thư sẽ gửi, không gửi")

    def handle(self, *args, date=None, dry_run=False, **options):
        day = parse_day(date) if date else today()
        if day is None:
            raise CommandError(f"Ngày không hợp lệ: {date!r} (dd/mm/yyyy hoặc YYYY-MM-DD).")
        sent, failed = send_reminders(day, dry_run=dry_run)
        verb = "Sẽ gửi" if dry_run else "Đã gửi"
        for letter in sent:
            self.stdout.write(f"{verb}: {letter.to} – {letter.subject}")
        self.stdout.write(f"{verb} {len(sent)} thư ngày {day:%d/%m/%Y}.")
        if failed:
            raise CommandError(f"{len(failed)} thư không gửi được (xem nhật ký); lần chạy sau sẽ gửi lại.")
