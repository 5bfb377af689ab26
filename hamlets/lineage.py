"""Reorganisations: events, lineage and dated parents (domain.md, "Reorganisations").

Three tables, imported into hamlets.models:

* `Reorganisation`: one legal act's change (establish, dissolve, merge, split,
  move, rename) of hamlets, communes or districts, with its effective date.
  Applying it (hamlets/reorganise.py) writes the records below and remembers
  what it wrote, so that it can be undone.
* `LineageLink`: predecessor → successor, whole or partial, with an optional
  share (households). Hamlets, communes, districts and the branches the event
  dissolved and founded all have lineage; restated figures follow it.
* `ParentChange`: a dated parent. The parent foreign key of a record
  (Hamlet.commune, Branch.commune, Commune.district, Member.residence_hamlet)
  always holds the parent from the record's *last* change on; each change
  remembers the parent before it. So the parent at a date D is the `old`
  parent of the earliest change after D, or the foreign key when there is
  none (hamlets/placement.py). Records that never moved need no row, and no
  code that creates records has to know about this table.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .fields import FoldedField


class Reorganisation(models.Model):
    class Kind(models.TextChoices):
        ESTABLISH = "establish", _("thành lập")
        DISSOLVE = "dissolve", _("giải thể")
        MERGE = "merge", _("sáp nhập")
        SPLIT = "split", _("chia tách")
        MOVE = "move", _("điều chỉnh địa giới (chuyển sang đơn vị khác)")
        RENAME = "rename", _("đổi tên")

    class Level(models.TextChoices):
        HAMLET = "hamlet", _("thôn, xóm")
        COMMUNE = "commune", _("xã")
        DISTRICT = "district", _("huyện")
        PROVINCE = "province", _("tỉnh")

    class Status(models.TextChoices):
        PLANNED = "planned", _("chưa áp dụng")
        APPLIED = "applied", _("đã áp dụng")

    code = models.CharField(_("mã"), max_length=40, unique=True)
    kind = models.CharField(_("loại sắp xếp"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("cấp đơn vị"), max_length=20, choices=Level.choices)
    effective_on = models.DateField(_("ngày có hiệu lực"))
    act_number = models.CharField(_("số văn bản"), max_length=100)
    act_date = models.DateField(_("ngày văn bản"))
    act_issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    note = models.TextField(_("ghi chú"), blank=True)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    # What applying wrote: {"created": [[model, pk], ...], "changed": [[model, pk, field, old, new], ...]}.
    # Undo reverses it exactly (hamlets/reorganise.py).
    # What the event does, as entered (hamlets/reorganise.py, "The event's
    # content"); kept while the event is planned and after it is undone.
    content = models.JSONField(_("nội dung"), default=dict)
    applied_changes = models.JSONField(default=dict, blank=True, editable=False)
    applied_at = models.DateTimeField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["effective_on", "code"]
        verbose_name = _("sắp xếp đơn vị")
        verbose_name_plural = _("sắp xếp đơn vị")

    def __str__(self):
        return f"{self.get_kind_display()} – {self.act_text()}"

    def act_text(self):
        """ "NQ 08/NQ-HĐND ngày 12/7/2019" (how documents cite an act)."""
        return f"{self.act_number} ngày {self.act_date.day}/{self.act_date.month}/{self.act_date.year}"


class LineageLink(models.Model):
    """One predecessor → successor edge of an event. For a unit founded from
    nothing only the successor is set; for one dissolved into nothing only the
    predecessor; a rename links a unit to itself and keeps its former name."""

    event = models.ForeignKey(Reorganisation, on_delete=models.CASCADE, related_name="links")
    from_hamlet = models.ForeignKey("Hamlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_hamlet = models.ForeignKey("Hamlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_commune = models.ForeignKey("Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_commune = models.ForeignKey("Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_district = models.ForeignKey("District", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_district = models.ForeignKey("District", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_province = models.ForeignKey("Province", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_province = models.ForeignKey("Province", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_branch = models.ForeignKey("Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_branch = models.ForeignKey("Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    whole = models.BooleanField(_("toàn bộ"), default=True)
    share = models.PositiveIntegerField(_("số hộ"), null=True, blank=True)
    former_name = models.CharField(_("tên cũ"), max_length=200, blank=True)
    former_name_folded = FoldedField(source="former_name")

    history = HistoricalRecords()

    class Meta:
        ordering = ["event__effective_on", "pk"]
        verbose_name = _("quan hệ kế thừa")
        verbose_name_plural = _("quan hệ kế thừa")

    def __str__(self):
        ends = [
            getattr(self, f"{side}_{level}")
            for level in ("hamlet", "commune", "district", "province", "branch")
            for side in ("from", "to")
        ]
        return " → ".join(str(end) for end in ends if end is not None)

    def ends(self, level):
        """(predecessor, successor) of a level: hamlet, commune, district, province, branch."""
        return getattr(self, f"from_{level}"), getattr(self, f"to_{level}")


class ParentChange(models.Model):
    """A record's parent changed on `changed_on` from `old_*` to the parent
    the record held next (the next change's old parent, or its foreign key).

    The child is one of hamlet (commune), branch (commune), commune
    (district, possibly none; or province, never none) and member (residence
    hamlet, possibly none). A commune's row is a change of province when
    `old_province` is set, else a change of district: the 2025 reform moved
    communes out of their district and into a merged province on the same day."""

    event = models.ForeignKey(Reorganisation, null=True, blank=True, on_delete=models.CASCADE, related_name="moves")
    changed_on = models.DateField(_("ngày"))
    hamlet = models.ForeignKey("Hamlet", null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    branch = models.ForeignKey("Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    commune = models.ForeignKey("Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    member = models.ForeignKey("Member", null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    old_commune = models.ForeignKey("Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    old_district = models.ForeignKey("District", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    old_hamlet = models.ForeignKey("Hamlet", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    old_province = models.ForeignKey("Province", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["changed_on", "pk"]
        verbose_name = _("thay đổi đơn vị trực thuộc")
        verbose_name_plural = _("thay đổi đơn vị trực thuộc")
        constraints = [
            # Exactly one child.
            models.CheckConstraint(
                condition=(
                    Q(hamlet__isnull=False, branch__isnull=True, commune__isnull=True, member__isnull=True)
                    | Q(hamlet__isnull=True, branch__isnull=False, commune__isnull=True, member__isnull=True)
                    | Q(hamlet__isnull=True, branch__isnull=True, commune__isnull=False, member__isnull=True)
                    | Q(hamlet__isnull=True, branch__isnull=True, commune__isnull=True, member__isnull=False)
                ),
                name="parent_change_one_child",
            ),
            # A change of province is a commune's, and remembers nothing else.
            models.CheckConstraint(
                condition=Q(old_province__isnull=True)
                | Q(commune__isnull=False, old_district__isnull=True, old_commune__isnull=True),
                name="parent_change_province_of_commune",
            ),
        ]
        indexes = [
            models.Index(fields=["hamlet", "changed_on"]),
            models.Index(fields=["branch", "changed_on"]),
            models.Index(fields=["commune", "changed_on"]),
            models.Index(fields=["member", "changed_on"]),
        ]

    def __str__(self):
        child = self.hamlet or self.branch or self.commune or self.member
        return f"{child} ({self.changed_on:%d/%m/%Y})"
