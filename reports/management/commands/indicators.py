import json

from django.core.management.base import BaseCommand, CommandError

from reports import indicators


class Command(BaseCommand):
    help = "In các chỉ tiêu (JSON) của một đơn vị tại một ngày, như GET /api/v1/indicators."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="KIND:CODE, ví dụ district:QL hoặc province:all")
        parser.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        parser.add_argument("--area", default=None, help="special, hoặc mã vùng đặc thù")
        parser.add_argument("--by-child", action="store_true")
        parser.add_argument(
            "--restated",
            action="store_true",
            help="số liệu quy về các đơn vị hiện nay (theo quan hệ kế thừa sau sắp xếp)",
        )

    def handle(self, *args, unit, as_of, area, by_child, restated, **options):
        try:
            result = indicators.compute_from_arguments(
                unit=unit, as_of=as_of, area=area, by_child=by_child, restated=restated
            )
        except indicators.BadArgument as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
