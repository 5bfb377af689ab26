from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import exports, indicators, summaries


class Command(BaseCommand):
    help = "Ghi báo cáo tháng của một đơn vị ra tệp (xlsx, csv, pdf); số liệu đã chốt nếu báo cáo đã duyệt."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="district:MÃ hoặc commune:MÃ")
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--format", required=True, choices=sorted(exports.FORMATS))
        parser.add_argument("--output", required=True)

    def handle(self, *args, unit, month, format, output, **options):
        try:
            resolved = indicators.parse_unit(unit)
        except indicators.UnknownUnit:
            raise CommandError(f"--unit: không có đơn vị “{unit}”.") from None
        if resolved.kind not in ("district", "commune"):
            raise CommandError("--unit: báo cáo tháng là của huyện hoặc xã.")
        try:
            first_day = summaries.parse_month(month)
        except ValueError:
            raise CommandError(f"--month: tháng không hợp lệ “{month}” (cần YYYY-MM).") from None
        summary = summaries.get_or_make(resolved, first_day)
        approved = summary.approved_at if summary.status == summary.Status.APPROVED else None
        data = exports.render(summaries.content_of(summary), format, approved=approved)
        Path(output).write_bytes(data)
        state = "đã duyệt" if approved else "chưa duyệt, số liệu hiện tại"
        self.stdout.write(self.style.SUCCESS(f"Đã ghi {output} ({len(data)} byte; {state})."))
