import dataclasses
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
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
            "--apply-events",
            action="store_true",
            help="áp dụng các lần sắp xếp đơn vị chưa áp dụng của tệp (trang reorganisations) đã đến ngày hiệu lực, "
            "theo thứ tự ngày, cùng một giao dịch với việc nhập",
        )
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
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="với thư mục gồm nhiều phần (toàn quốc): số phần nhập cùng lúc, mỗi phần một tiến trình",
        )

    def handle(self, *args, path, dry_run, verbosity, max_rows, max_megabytes, apply_events=False, jobs=1, **options):
        parts = folder_parts(path)
        if parts:
            if jobs > 1:
                return self.import_parts_at_once(parts, dry_run, verbosity, max_rows, max_megabytes, jobs)
            return self.import_parts(parts, dry_run, verbosity, max_rows, max_megabytes)
        if apply_events and not dry_run:
            # The import and the events are one transaction: a refused event undoes the import too.
            with transaction.atomic():
                result = self.run_import(path, dry_run, verbosity, max_rows, max_megabytes)
                self.apply_events(result)
            return
        self.run_import(path, dry_run, verbosity, max_rows, max_megabytes)

    def import_parts(self, parts, dry_run, verbosity, max_rows, max_megabytes):
        """A folder of folders (`generate_data --national`): each part is
        imported on its own, all or nothing, in name order, so memory holds
        one part (a province) at a time. A part refused stops the import; the
        parts before it stay imported, and running the command again
        imports nothing twice (records merge by key)."""
        import time

        for number, part in enumerate(parts, start=1):
            started = time.monotonic()
            self.stdout.write(
                _("Phần %(number)d/%(total)d: %(name)s") % {"number": number, "total": len(parts), "name": part.name}
            )
            try:
                self.run_import(part, dry_run, verbosity, max_rows, max_megabytes)
            except CommandError as exc:
                done = [p.name for p in parts[: number - 1]]
                raise CommandError(
                    _("%(why)s Phần %(name)s không được ghi; các phần trước đã nhập: %(done)s.")
                    % {"why": exc, "name": part.name, "done": ", ".join(done) or "—"}
                ) from None
            self.stdout.write(_("  (%(seconds).1f giây)") % {"seconds": time.monotonic() - started})

    def import_parts_at_once(self, parts, dry_run, verbosity, max_rows, max_megabytes, jobs):
        """As import_parts, `jobs` parts at a time, each in a process of its
        own (the parts share no record: provinces of a country). The first
        part (the nation's provinces and events, which the others name) is
        imported before the others start. Each part is all or nothing; after
        a refused part no new part starts. Prints each process's peak memory."""
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        from django.db import connections

        self.import_parts(parts[:1], dry_run, verbosity, max_rows, max_megabytes)
        rest = list(parts[1:])
        connections.close_all()  # a forked process opens its own connection
        context = multiprocessing.get_context("fork")
        done, refused, peaks = [parts[0].name], None, []
        # A fresh process per part (a pool of one each), so that each part's
        # memory is given back when it ends instead of piling up in a worker.
        running = {}
        while (rest and refused is None) or running:
            while rest and refused is None and len(running) < jobs:
                part = rest.pop(0)
                pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
                running[pool.submit(_import_part, str(part), dry_run, max_rows, max_megabytes)] = (part, pool)
            finished, _pending = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                part, pool = running.pop(future)
                report = future.result()
                pool.shutdown()
                peaks.append(report["peak_kb"])
                self.stdout.write(
                    _("Phần %(name)s: %(summary)s (%(seconds).1f giây, %(mb).0f MB)")
                    % {
                        "name": part.name,
                        "summary": report["summary"],
                        "seconds": report["seconds"],
                        "mb": report["peak_kb"] / 1024,
                    }
                )
                if report["errors"]:
                    for error in report["errors"]:
                        self.stderr.write(error)
                    refused = refused or part.name
                else:
                    done.append(part.name)
        if refused:
            raise CommandError(
                _("Phần %(name)s có lỗi và không được ghi; các phần đã nhập: %(done)s.")
                % {"name": refused, "done": ", ".join(sorted(done))}
            )
        top = sorted(peaks, reverse=True)[:jobs]
        self.stdout.write(
            _(
                "Bộ nhớ lớn nhất của một tiến trình: %(one).0f MB; "
                "của %(jobs)d tiến trình cùng lúc: tối đa %(all).0f MB."
            )
            % {"one": max(peaks or [0]) / 1024, "jobs": jobs, "all": sum(top) / 1024}
        )

    def apply_events(self, result):
        from coverage_site.lib.dates import today
        from hamlets import reorganise
        from hamlets.models import Reorganisation

        codes = {key[0] for _row, _action, key in result.row_actions.get("reorganisations", [])}
        due = Reorganisation.objects.filter(
            code__in=codes, status=Reorganisation.Status.PLANNED, effective_on__lte=today()
        ).order_by("effective_on", "code")
        for event in due:
            try:
                lines = reorganise.apply(event)
            except reorganise.Refused as exc:
                raise CommandError(
                    _("Lần sắp xếp %(code)s: %(why)s Không có gì được ghi vào cơ sở dữ liệu.")
                    % {"code": event.code, "why": " ".join(exc.messages)}
                ) from None
            self.stdout.write(_("Đã áp dụng %(code)s:") % {"code": event.code})
            for line in lines:
                self.stdout.write(f"  {line}")

    def run_import(self, path, dry_run, verbosity, max_rows, max_megabytes):
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
        return result


def folder_parts(path):
    """The sub-folders of a folder that holds no sheet of its own but
    sub-folders of sheets (a national data set), in name order; else []."""
    path = Path(path)
    if not path.is_dir() or any(path.glob("*.csv")):
        return []
    return sorted(p for p in path.iterdir() if p.is_dir() and any(p.glob("*.csv")))


def _import_part(path, dry_run, max_rows, max_megabytes):
    """One part, in a process of its own (import_parts_at_once): a short report."""
    import resource
    import time

    from django.db import connection

    from hamlets.exchange.files import IMPORT_LIMITS, MB

    if connection.vendor == "postgresql":
        # One snapshot for the whole import: another part committing while
        # this one reads the stored records must not show it half written.
        from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

        connection.settings_dict.setdefault("OPTIONS", {})["isolation_level"] = ISOLATION_LEVEL_REPEATABLE_READ
        connection.close()
    started = time.monotonic()
    limits = dataclasses.replace(IMPORT_LIMITS, rows=max_rows, uncompressed_bytes=max_megabytes * MB)
    result = import_path(path, dry_run=dry_run, limits=limits)
    summary = _("thêm %(created)d, cập nhật %(updated)d bản ghi") % {
        "created": result.total_created,
        "updated": result.total_updated,
    }
    return {
        "summary": summary,
        "errors": [str(error) for error in result.errors[:50]],
        "seconds": time.monotonic() - started,
        "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
