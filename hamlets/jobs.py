"""Long work in the background: checking and applying a large upload, a
province-sized list export.

A `Job` row is what the user sees and comes back to (its page survives a
reload, a closed tab, a restart); django-tasks runs it (hamlets/tasks.py,
the database backend by default, `manage.py db_worker`). Small work runs the
same code at once, inside the request, so a ten-row upload still answers in
the same page load.

Progress is written to the "progress" cache (settings.CACHES), never to the
database: the work runs inside the import's transaction, and a row written
there would stay invisible until the end.

A second click never starts a second job: a job has a `dedupe_key` (the upload
and the step, or the export's user and address) and the database refuses a
second queued or running job with the same key.
"""

import contextvars
import datetime
import logging
import secrets
import time

from django.core.cache import caches
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

KEPT_FOR_DAYS = 7
# How often a running job writes its progress, at most (seconds).
PROGRESS_EVERY = 0.5


class Job(models.Model):
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [
        (QUEUED, gettext_lazy("đang chờ")),
        (RUNNING, gettext_lazy("đang chạy")),
        (DONE, gettext_lazy("xong")),
        (FAILED, gettext_lazy("gặp sự cố")),
    ]
    ACTIVE = (QUEUED, RUNNING)
    CHECK_UPLOAD, APPLY_UPLOAD, EXPORT_LIST = "check_upload", "apply_upload", "export_list"
    KINDS = [
        (CHECK_UPLOAD, gettext_lazy("Kiểm tra tệp tải lên")),
        (APPLY_UPLOAD, gettext_lazy("Nhập tệp tải lên")),
        (EXPORT_LIST, gettext_lazy("Xuất danh sách")),
    ]
    # The function that does each kind of work: work(job) -> result dict.
    WORK = {
        CHECK_UPLOAD: "hamlets.upload.check_job",
        APPLY_UPLOAD: "hamlets.upload.apply_job",
        EXPORT_LIST: "hamlets.views.lists.export_job",
    }

    token = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=20, choices=KINDS)
    upload = models.ForeignKey("hamlets.Upload", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs")
    label = models.CharField(max_length=300)
    params = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=STATES, default=QUEUED)
    # What the user is shown at the end (hamlets/upload.py, views/lists.py).
    result = models.JSONField(null=True, blank=True)
    output = models.BinaryField(null=True, blank=True)
    output_name = models.CharField(max_length=200, blank=True)
    output_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "hamlets"
        verbose_name = gettext_lazy("việc chạy nền")
        verbose_name_plural = gettext_lazy("việc chạy nền")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=Q(state__in=("queued", "running")), name="one_active_job_per_key"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label}"

    @property
    def active(self):
        return self.state in self.ACTIVE

    @property
    def succeeded(self):
        return self.state == self.DONE and bool((self.result or {}).get("ok", True))

    def progress(self):
        """{"stage", "done", "total", "percent"} as last reported; percent is
        None while the amount of work is not known yet."""
        if not self.active:
            return {"stage": "", "done": 0, "total": 0, "percent": 100 if self.state == self.DONE else None}
        reported = caches["progress"].get(_progress_key(self.token)) or {}
        done, total = reported.get("done", 0), reported.get("total", 0)
        return {
            "stage": reported.get("stage") or (_("Đang chờ đến lượt") if self.state == self.QUEUED else ""),
            "done": done,
            "total": total,
            "percent": min(100, round(100 * done / total)) if total else None,
        }


def _progress_key(token):
    return f"job:{token}"


# The running job's progress reporter; report() is a no-op outside a job.
_current = contextvars.ContextVar("current_job_progress", default=None)


class _Reporter:
    def __init__(self, token):
        self.key = _progress_key(token)
        self.last = 0.0

    def __call__(self, stage, done, total):
        now = time.monotonic()
        if done < total and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        caches["progress"].set(self.key, {"stage": str(stage), "done": done, "total": total}, 24 * 3600)


def report(stage, done, total):
    """Progress of the work in hand, for its job page (no-op outside a job)."""
    reporter = _current.get()
    if reporter is not None:
        reporter(stage, done, total)


def start(request, kind, *, label, upload=None, params=None, dedupe_key, inline):
    """The job for this work: the queued, running or (for an upload's step)
    finished one with the same key, or a new one. A new job runs at once when
    `inline` (small work: the user waits in the request, as for any page),
    else in the background. Returns (job, created)."""
    _forget_old_jobs()
    existing = _existing(request.user, kind, dedupe_key)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            job = Job.objects.create(
                token=secrets.token_urlsafe(16),
                user=request.user,
                kind=kind,
                upload=upload,
                label=label[:300],
                params={**(params or {}), "language": translation.get_language() or "vi"},
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        # The other click won the race: show its job.
        return _existing(request.user, kind, dedupe_key), False
    if inline:
        execute(job.token)
        job.refresh_from_db()
    else:
        from .tasks import run_job

        run_job.enqueue(job.token)
    return job, True


def _existing(user, kind, dedupe_key):
    jobs = Job.objects.filter(user=user, kind=kind, dedupe_key=dedupe_key)
    if kind == Job.APPLY_UPLOAD:
        # An upload is applied once: a finished import is shown again, not repeated.
        # A failed one (the data changed since the preview) may be tried again.
        return next((job for job in jobs.order_by("-pk") if job.active or job.succeeded), None)
    return jobs.filter(state__in=Job.ACTIVE).first()


def execute(token):
    """Run a queued job (the task's body): claim it, do its work with progress
    reporting, store the result. Never raises: a crash is recorded on the job."""
    claimed = Job.objects.filter(token=token, state=Job.QUEUED).update(state=Job.RUNNING, started_at=timezone.now())
    if not claimed:
        return  # run already (a retry, or a second worker)
    job = Job.objects.select_related("user", "upload").get(token=token)
    reporter = _Reporter(token)
    marker = _current.set(reporter)
    try:
        with translation.override(job.params.get("language", "vi")):
            result = import_string(Job.WORK[job.kind])(job)
        state = Job.DONE
    except Exception:
        logger.exception("Background job %s (%s) failed", token, job.kind)
        result = {"ok": False, "crashed": True}
        state = Job.FAILED
    finally:
        _current.reset(marker)
        caches["progress"].delete(reporter.key)
    job.result = result
    job.state = state
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "state", "finished_at", "output", "output_name", "output_type"])


def _forget_old_jobs():
    """Results hold personal data: they are kept a week, then deleted."""
    Job.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=KEPT_FOR_DAYS)).exclude(
        state__in=Job.ACTIVE
    ).delete()
