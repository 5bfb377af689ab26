import dataclasses
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hamlets.exchange import import_path
from hamlets.exchange.files import IMPORT_LIMITS, MB

MAX_WARNINGS_SHOWN = 20


class Command(BaseCommand):
    help = "Nhập dữ liệu từ thư mục CSV hoặc tệp .xlsx theo định dạng trao đổi (tất cả hoặc không gì cả)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="thư mục chứa các tệp <trang>.csv, hoặc tệp .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
        parser.add_argument(
            "--max-rows",
            type=int,
            default=IMPORT_LIMITS.rows,
            help="số dòng dữ liệu tối đa của cả tệp (mặc định %(default)s)",
        )
        parser.add_argument(
            "--max-megabytes",
            type=int,
            default=IMPORT_LIMITS.uncompressed_bytes // MB,
            help="dung lượng tối đa của tệp .xlsx khi giải nén, MB (mặc định %(default)s)",
        )

    def handle(self, *args, path, dry_run, verbosity, max_rows, max_megabytes, **options):
        limits = dataclasses.replace(
            IMPORT_LIMITS,
            rows=max_rows,
            uncompressed_bytes=max_megabytes * MB,
            advice=_("Quản trị viên có thể nới giới hạn bằng --max-rows hoặc --max-megabytes."),
        )
        show_progress = verbosity >= 1 and sys.stderr.isatty()

        def progress(stage, done, total):
            if show_progress:
                self.stderr.write(f"\r{stage}: {done}/{total}   ", ending="")
                if done >= total:
                    self.stderr.write("")

        result = import_path(path, dry_run=dry_run, progress=progress, limits=limits)
        for warning in result.warnings[:MAX_WARNINGS_SHOWN]:
            self.stderr.write(_("Lưu ý – %(problem)s") % {"problem": warning})
        if len(result.warnings) > MAX_WARNINGS_SHOWN:
            self.stderr.write(_("… và %(count)d lưu ý khác.") % {"count": len(result.warnings) - MAX_WARNINGS_SHOWN})
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("Có %(count)d lỗi; không có gì được ghi vào cơ sở dữ liệu.") % {"count": len(result.errors)}
            )
        for sheet, count in sorted(result.created.items()):
            self.stdout.write(_("%(sheet)s: thêm %(count)d") % {"sheet": sheet, "count": count})
        for sheet, count in sorted(result.updated.items()):
            self.stdout.write(_("%(sheet)s: cập nhật %(count)d") % {"sheet": sheet, "count": count})
        summary = _("thêm %(created)d, cập nhật %(updated)d bản ghi") % {
            "created": result.total_created,
            "updated": result.total_updated,
        }
        if dry_run:
            self.stdout.write(_("Chạy thử: sẽ %(summary)s; chưa ghi gì.") % {"summary": summary})
        else:
            self.stdout.write(self.style.SUCCESS(_("Đã nhập: %(summary)s.") % {"summary": summary}))
