from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hamlets.exchange import export_path


class Command(BaseCommand):
    help = "Xuất toàn bộ dữ liệu theo định dạng trao đổi: thư mục CSV, hoặc tệp .xlsx nếu PATH kết thúc bằng .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        tables = export_path(path)
        rows = sum(len(rows) for _header, rows in tables.values())
        self.stdout.write(self.style.SUCCESS(_("Đã xuất %(rows)d dòng vào %(path)s.") % {"rows": rows, "path": path}))
