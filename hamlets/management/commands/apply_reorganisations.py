from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from coverage_site.lib.dates import today
from hamlets import reorganise
from hamlets.models import Reorganisation


class Command(BaseCommand):
    help = (
        "Áp dụng các lần sắp xếp đơn vị đã nhập trước (chưa áp dụng) nay đã đến ngày hiệu lực, theo thứ tự ngày. "
        "Chạy hằng ngày (cron) để sắp xếp có hiệu lực đúng ngày."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="chỉ cho xem trước, không ghi gì")

    def handle(self, *args, dry_run=False, **options):
        due = Reorganisation.objects.filter(status=Reorganisation.Status.PLANNED, effective_on__lte=today()).order_by(
            "effective_on", "code"
        )
        if not due:
            self.stdout.write("Không có lần sắp xếp nào đến hạn.")
            return
        # All or nothing: a refused event leaves every event of this run unapplied.
        with transaction.atomic():
            for event in due:
                try:
                    lines = reorganise.apply(event)
                except reorganise.Refused as exc:
                    raise CommandError(
                        f"{event.code}: {' '.join(exc.messages)} Không có lần sắp xếp nào được áp dụng."
                    ) from None
                self.stdout.write(f"{event.code} ({event.effective_on:%d/%m/%Y}):")
                for line in lines:
                    self.stdout.write(f"  {line}")
            if dry_run:
                transaction.set_rollback(True)
                self.stdout.write("Chạy thử: chưa ghi gì.")
