"""Monthly summaries: submitted by a district (or a commune without a
district), approved and frozen by the province."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class MonthlySummary(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("chưa nộp")
        SUBMITTED = "submitted", _("đã nộp")
        RETURNED = "returned", _("trả lại")
        APPROVED = "approved", _("đã duyệt")

    unit_kind = models.CharField(_("cấp"), max_length=10, choices=[("district", _("huyện")), ("commune", _("xã"))])
    unit_code = models.CharField(_("mã đơn vị"), max_length=40)
    unit_name = models.CharField(_("tên đơn vị"), max_length=200)
    month = models.DateField(_("tháng"), help_text=_("ngày đầu tháng"))
    status = models.CharField(_("tình trạng"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    comment = models.TextField(_("ghi chú của đơn vị"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("ngày duyệt"), null=True, blank=True)
    # Every figure and list as approved; never recomputed afterwards.
    frozen = models.JSONField(_("số liệu đã chốt"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "unit_kind", "unit_code"]
        verbose_name = _("báo cáo tháng")
        verbose_name_plural = _("báo cáo tháng")
        constraints = [models.UniqueConstraint(fields=["unit_kind", "unit_code", "month"], name="summary_key")]

    def __str__(self):
        return f"{self.unit_name} {self.month:%m/%Y}"


class SummaryEvent(models.Model):
    """One step of the workflow: who did what, when, and why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("nộp")
        APPROVE = "approve", _("duyệt")
        RETURN = "return", _("trả lại")
        REOPEN = "reopen", _("mở lại")

    summary = models.ForeignKey(MonthlySummary, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("việc"), max_length=10, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    text = models.TextField(_("ghi chú / lý do"), blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%d/%m/%Y}"


class CommuneVersion(models.Model):
    """A number that grows whenever a record that a commune's figures read
    changes (reports/versions.py): each commune's cached figures are keyed by
    it, so a clerk's edit recomputes that commune only."""

    commune = models.OneToOneField(
        "hamlets.Commune", primary_key=True, on_delete=models.CASCADE, related_name="figures_version"
    )
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("phiên bản số liệu của xã")
        verbose_name_plural = _("phiên bản số liệu của xã")

    def __str__(self):
        return f"{self.commune_id}: {self.version}"


ADMISSIONS_PER_YEAR = "admissions_per_year"


def goal_measures():
    """What a goal can be set on: every indicator's share, or the year's
    admissions as a share of the members at the start of the year."""
    from .indicators import INDICATORS

    return [(i.key, i.label) for i in INDICATORS if i.key != "admissions_vs_target"] + [
        (ADMISSIONS_PER_YEAR, _("Kết nạp trong năm so với tổng số đảng viên đầu năm"))
    ]


class Goal(models.Model):
    """A target the Party sets, as data (reports/goals.py follows progress):
    a share to reach or to stay under by a deadline, for every unit or one
    unit (and the units under it), optionally in one kind of area.

    The three of Nghị quyết 21-NQ/TW are filled in by migration 0003;
    administrators add their province's own in the admin."""

    class Direction(models.TextChoices):
        AT_MOST = "at_most", _("không vượt quá")
        AT_LEAST = "at_least", _("đạt ít nhất")

    title = models.CharField(_("mục tiêu"), max_length=300)
    source = models.CharField(_("căn cứ"), max_length=300, blank=True)
    measure = models.CharField(_("chỉ số"), max_length=60, choices=goal_measures)
    direction = models.CharField(_("yêu cầu"), max_length=10, choices=Direction.choices)
    level = models.DecimalField(
        _("mức (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    deadline = models.DateField(_("thời hạn"))
    unit_kind = models.CharField(
        _("áp dụng cho cấp"),
        max_length=10,
        blank=True,
        choices=[("province", _("tỉnh")), ("district", _("huyện")), ("commune", _("xã"))],
        help_text=_("Để trống: mọi đơn vị."),
    )
    unit_code = models.CharField(_("mã đơn vị"), max_length=40, blank=True)
    area = models.CharField(
        _("vùng"),
        max_length=40,
        blank=True,
        help_text=_("Mã loại vùng, “special” cho mọi vùng đặc thù; để trống: mọi vùng."),
    )
    active = models.BooleanField(_("đang theo dõi"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")

    def __str__(self):
        return self.title

    @property
    def measure_title(self):
        """What the goal measures, in the active language."""
        from .indicators import INDICATOR_BY_KEY

        indicator = INDICATOR_BY_KEY.get(self.measure)
        return indicator.title if indicator else self.get_measure_display()

    @property
    def level_ratio(self):
        """The level as a ratio (the `percent` filter writes it)."""
        return float(self.level) / 100

    @property
    def per_year(self):
        """A rate to reach every year (admissions), not a share to reach once."""
        return self.measure == ADMISSIONS_PER_YEAR

    def clean(self):
        from .indicators import UnknownArea, UnknownUnit, check_area, get_unit

        errors = {}
        if bool(self.unit_kind) != bool(self.unit_code):
            errors["unit_code"] = _("Chọn cả cấp và mã đơn vị, hoặc để trống cả hai.")
        elif self.unit_kind:
            try:
                get_unit(self.unit_kind, self.unit_code)
            except UnknownUnit:
                errors["unit_code"] = _("Không có đơn vị này.")
        if self.area:
            try:
                check_area(self.area)
            except UnknownArea:
                errors["area"] = _("Không có loại vùng này.")
        if errors:
            raise ValidationError(errors)


class CheckedFinding(models.Model):
    """A data-quality finding (reports/quality.py) that someone checked and
    found correct, with the reason: it no longer counts. Removing the mark
    makes it count again; both are kept in the history."""

    rule = models.CharField(_("điểm kiểm tra"), max_length=60)
    record_pk = models.BigIntegerField(_("bản ghi"))
    commune = models.ForeignKey(
        "hamlets.Commune", verbose_name=_("xã"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(_("lý do"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("lúc"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["rule", "record_pk"]
        verbose_name = _("điểm đã kiểm tra")
        verbose_name_plural = _("điểm đã kiểm tra")
        constraints = [models.UniqueConstraint(fields=["rule", "record_pk"], name="checked_finding_key")]

    def __str__(self):
        return f"{self.rule} {self.record_pk}"


class Subscription(models.Model):
    """A leader who receives the approved province summary (PDF and XLSX)
    by email when every unit's summary of a month is approved
    (reports/reminders.py). Administrators add them; the link in each email
    stops it."""

    name = models.CharField(_("họ và tên"), max_length=200)
    email = models.EmailField(_("thư điện tử"), unique=True)
    active = models.BooleanField(_("đang nhận"), default=True)
    created_at = models.DateTimeField(_("ngày đăng ký"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("người nhận báo cáo toàn tỉnh")
        verbose_name_plural = _("người nhận báo cáo toàn tỉnh")

    def __str__(self):
        return f"{self.name} <{self.email}>"


class EmailOptOut(models.Model):
    """An address that asked, through the link in an email, to receive no
    more reminders of that kind."""

    email = models.EmailField(_("thư điện tử"))
    kind = models.CharField(_("loại thư"), max_length=30)
    at = models.DateTimeField(_("lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("địa chỉ từ chối nhận thư")
        verbose_name_plural = _("địa chỉ từ chối nhận thư")
        constraints = [models.UniqueConstraint(fields=["email", "kind"], name="email_opt_out_key")]

    def __str__(self):
        return f"{self.email} ({self.kind})"


class SentEmail(models.Model):
    """One email sent by send_reminders: what about (`key`) and to whom, so a
    second run the same day (or a month already delivered) sends nothing again."""

    kind = models.CharField(_("loại thư"), max_length=30)
    key = models.CharField(_("nội dung"), max_length=100)
    recipient = models.EmailField(_("người nhận"))
    sent_at = models.DateTimeField(_("lúc gửi"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("thư đã gửi")
        verbose_name_plural = _("thư đã gửi")
        constraints = [models.UniqueConstraint(fields=["kind", "key", "recipient"], name="sent_email_key")]

    def __str__(self):
        return f"{self.kind} {self.key} → {self.recipient}"


class CommuneMonthEnd(models.Model):
    """A commune's figures at a month end (the "figures" part of
    reports/indicators/by_commune.py's entry), kept in a table of their own
    so that trends over years and cold dashboards read them instead of every
    member: valid while the commune's data version is `version`, recomputed
    when it has moved on (any change to what the commune's figures read) or
    the code that computes them changed (`token`).

    The payload is the cache's (a pickle of plain dicts and lists), written
    and read only by by_commune.py."""

    commune = models.ForeignKey("hamlets.Commune", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    area = models.CharField(max_length=40, blank=True)
    version = models.BigIntegerField()
    # The code and at-risk settings that computed it (a deployment or a new setting makes it stale).
    token = models.CharField(max_length=80)
    payload = models.BinaryField()

    class Meta:
        verbose_name = _("số liệu cuối tháng của xã")
        verbose_name_plural = _("số liệu cuối tháng của xã")
        constraints = [models.UniqueConstraint(fields=["commune", "day", "area"], name="commune_month_end_key")]

    def __str__(self):
        return f"{self.commune_id} {self.day} {self.area}"
