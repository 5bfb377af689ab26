"""Monthly summaries: submitted by a district (or a commune without a
district), approved and frozen by the province."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
