"""Registry of units, branches and people (domain.md, "Entities").

Every rule of domain.md lives in hamlets/rules.py; `clean()` here only gathers
the neighbouring records a rule needs and calls it, so that forms, the admin
and the import (which calls the same rules on its in-memory records) agree.

"Active on a date" is written once per model, as a QuerySet method
`active_on(day)` (hamlets/querysets.py, with the scope and the search);
periods are half-open ([start, end)).

Every registry model keeps its history (`history = HistoricalRecords()`): who
changed what, when (domain.md rule 8). The latest history id of a record is
also the version token that edit forms use to refuse lost updates.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import rules
from .fields import FoldedField, SortKeyField
from .querysets import (
    BranchQuerySet,
    BranchScopedQuerySet,
    CandidateQuerySet,
    CommuneQuerySet,
    HamletQuerySet,
    MemberQuerySet,
    MembershipQuerySet,
    ScopedQuerySet,
    SecretaryTermQuerySet,
    UnitQuerySet,
    VillageHeadQuerySet,
)

CODE_VALIDATOR_REGEX = r"^[A-Za-z0-9._-]{1,40}$"


def code_field():
    from django.core.validators import RegexValidator

    return models.CharField(
        _("mã"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(CODE_VALIDATOR_REGEX, _("Mã gồm 1–40 ký tự A-Z a-z 0-9 . _ -"))],
    )


def period_constraint(name, start, end):
    """Database half of rule 2: an end date, when set, is after the start."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__gt": models.F(start)}),
        name=name,
    )


class Unit(models.Model):
    code = code_field()
    name = models.CharField(_("tên"), max_length=200)
    name_folded = FoldedField(source="name")
    name_sort = SortKeyField(source="name")
    established_on = models.DateField(_("ngày thành lập"), null=True, blank=True)
    dissolved_on = models.DateField(_("ngày giải thể"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        rules.raise_for(rules.unit_errors(self))


class AreaType(models.Model):
    code = code_field()
    name = models.CharField(_("tên"), max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("vùng đặc thù")
        verbose_name_plural = _("vùng đặc thù")

    def __str__(self):
        return self.name


class Province(Unit):
    """A province (tỉnh, thành phố trực thuộc trung ương). An installation
    holds one province or several; with one, no province row is needed and
    nothing shows a province level (reports/indicators/units.py). Communes
    belong to a province by a dated parent (Commune.province, hamlets/lineage.py),
    so the 2025 province mergers keep each province's past."""

    history = HistoricalRecords()

    class Meta(Unit.Meta):
        verbose_name = _("tỉnh")
        verbose_name_plural = _("tỉnh, thành phố")
        constraints = [period_constraint("province_period", "established_on", "dissolved_on")]


class District(Unit):
    history = HistoricalRecords()

    class Meta(Unit.Meta):
        verbose_name = _("huyện")
        verbose_name_plural = _("huyện")
        constraints = [period_constraint("district_period", "established_on", "dissolved_on")]


class Commune(Unit):
    district = models.ForeignKey(
        District, verbose_name=_("huyện"), null=True, blank=True, on_delete=models.PROTECT, related_name="communes"
    )
    # None in a one-province installation. A district's province is that of
    # its communes (districts never straddled provinces).
    province = models.ForeignKey(
        Province, verbose_name=_("tỉnh"), null=True, blank=True, on_delete=models.PROTECT, related_name="communes"
    )

    objects = CommuneQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta(Unit.Meta):
        verbose_name = _("xã")
        verbose_name_plural = _("xã, phường, thị trấn")
        constraints = [period_constraint("commune_period", "established_on", "dissolved_on")]


class Hamlet(Unit):
    class Kind(models.TextChoices):
        XOM = "xom", _("xóm")
        THON = "thon", _("thôn")
        BAN = "ban", _("bản")
        KHOI = "khoi", _("khối")
        TO_DAN_PHO = "to_dan_pho", _("tổ dân phố")

    commune = models.ForeignKey(Commune, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="hamlets")
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.XOM)
    area_types = models.ManyToManyField(AreaType, verbose_name=_("vùng đặc thù"), blank=True, related_name="hamlets")

    objects = HamletQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta(Unit.Meta):
        verbose_name = _("thôn, xóm")
        verbose_name_plural = _("thôn, xóm")
        constraints = [period_constraint("hamlet_period", "established_on", "dissolved_on")]


class Branch(models.Model):
    code = code_field()
    name = models.CharField(_("tên"), max_length=200)
    name_folded = FoldedField(source="name")
    name_sort = SortKeyField(source="name")
    commune = models.ForeignKey(Commune, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="branches")
    hamlets = models.ManyToManyField(Hamlet, verbose_name=_("thôn, xóm sinh hoạt"), related_name="branches")
    established_on = models.DateField(_("ngày thành lập"))
    dissolved_on = models.DateField(_("ngày giải thể"), null=True, blank=True)

    objects = BranchQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("chi bộ")
        verbose_name_plural = _("chi bộ")
        constraints = [period_constraint("branch_period", "established_on", "dissolved_on")]

    def __str__(self):
        return self.name

    def clean(self):
        # The served hamlets are checked by the form/import that sets them
        # (rules.branch_hamlet_errors); here only the branch's own fields.
        rules.raise_for(rules.branch_errors(self))


class Gender(models.TextChoices):
    MALE = "male", _("nam")
    FEMALE = "female", _("nữ")


class Member(models.Model):
    code = code_field()
    full_name = models.CharField(_("họ và tên"), max_length=200)
    name_folded = FoldedField(source="full_name")
    name_sort = SortKeyField(source="full_name")
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("ngày sinh"))
    ethnicity = models.CharField(_("dân tộc"), max_length=100, blank=True)
    religion = models.CharField(_("tôn giáo"), max_length=100, blank=True)
    residence_hamlet = models.ForeignKey(
        Hamlet,
        verbose_name=_("nơi cư trú (thôn, xóm)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    admitted_on = models.DateField(_("ngày quyết định kết nạp"))
    official_on = models.DateField(_("ngày công nhận chính thức"), null=True, blank=True)
    trained_on = models.DateField(_("ngày hoàn thành bồi dưỡng nghiệp vụ"), null=True, blank=True)
    exempt_since = models.DateField(_("miễn sinh hoạt từ ngày"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("đảng viên")
        verbose_name_plural = _("đảng viên")
        # Looking up a member's namesakes born the same day (reports/quality.py, possible duplicates).
        indexes = [models.Index(fields=["name_folded", "birth_date"], name="member_name_birth")]
        constraints = [
            models.CheckConstraint(
                condition=Q(official_on__isnull=True) | Q(official_on__gte=models.F("admitted_on")),
                name="member_official_after_admission",
            )
        ]

    def __str__(self):
        return self.full_name

    def clean(self):
        rules.raise_for(rules.member_errors(self))


class Membership(models.Model):
    class LeftReason(models.TextChoices):
        TRANSFERRED = "transferred", _("chuyển sinh hoạt")
        DECEASED = "deceased", _("từ trần")
        REMOVED = "removed", _("xóa tên")
        EXPELLED = "expelled", _("khai trừ")
        OTHER = "other", _("lý do khác")

    member = models.ForeignKey(
        Member, verbose_name=_("đảng viên"), on_delete=models.PROTECT, related_name="memberships"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("chi bộ"), on_delete=models.PROTECT, related_name="memberships")
    joined_on = models.DateField(_("ngày bắt đầu sinh hoạt"))
    left_on = models.DateField(_("ngày thôi sinh hoạt"), null=True, blank=True)
    left_reason = models.CharField(_("lý do thôi sinh hoạt"), max_length=20, choices=LeftReason.choices, blank=True)
    reinforcing = models.BooleanField(_("đảng viên tăng cường"), default=False)

    objects = MembershipQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["member__code", "joined_on"]
        verbose_name = _("sinh hoạt đảng")
        verbose_name_plural = _("sinh hoạt đảng")
        constraints = [
            models.UniqueConstraint(fields=["member", "branch", "joined_on"], name="membership_key"),
            period_constraint("membership_period", "joined_on", "left_on"),
            models.CheckConstraint(
                condition=(Q(left_on__isnull=True) & Q(left_reason=""))
                | (Q(left_on__isnull=False) & ~Q(left_reason="")),
                name="membership_left_reason_with_left_on",
            ),
        ]
        indexes = [models.Index(fields=["branch", "joined_on"]), models.Index(fields=["member", "joined_on"])]

    def __str__(self):
        return f"{self.member} – {self.branch}"

    def clean(self):
        member = self.member if self.member_id else None
        branch = self.branch if self.branch_id else None
        siblings = []
        if member is not None:
            siblings = list(Membership.objects.filter(member=member).exclude(pk=self.pk).select_related("branch"))
        rules.raise_for(rules.membership_errors(self, member=member, branch=branch, siblings=siblings))


class BranchSecretary(models.Model):
    branch = models.ForeignKey(
        Branch, verbose_name=_("chi bộ"), on_delete=models.PROTECT, related_name="secretary_terms"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("đảng viên"), on_delete=models.PROTECT, related_name="secretary_terms"
    )
    start_on = models.DateField(_("ngày bắt đầu nhiệm kỳ"))
    end_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    # Appointed by the commune committee when the branch is founded by a
    # reorganisation, until the branch elects its own (bí thư lâm thời).
    interim = models.BooleanField(_("lâm thời"), default=False)

    objects = SecretaryTermQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["branch__code", "start_on"]
        verbose_name = _("bí thư chi bộ")
        verbose_name_plural = _("bí thư chi bộ")
        constraints = [
            models.UniqueConstraint(fields=["branch", "start_on"], name="secretary_key"),
            period_constraint("secretary_period", "start_on", "end_on"),
        ]

    def __str__(self):
        return f"{self.member} – {self.branch}"

    def clean(self):
        if not (self.branch_id and self.member_id):
            return  # the form reports the missing field itself
        rules.raise_for(
            rules.secretary_errors(
                self,
                branch_terms=list(
                    BranchSecretary.objects.filter(branch_id=self.branch_id)
                    .exclude(pk=self.pk)
                    .select_related("member")
                ),
                member_memberships=list(Membership.objects.filter(member_id=self.member_id).select_related("branch")),
            )
        )


class VillageHead(models.Model):
    code = code_field()
    hamlet = models.ForeignKey(Hamlet, verbose_name=_("thôn, xóm"), on_delete=models.PROTECT, related_name="head_terms")
    full_name = models.CharField(_("họ và tên"), max_length=200)
    name_folded = FoldedField(source="full_name")
    name_sort = SortKeyField(source="full_name")
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    member = models.ForeignKey(
        Member,
        verbose_name=_("hồ sơ đảng viên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="head_terms",
    )
    trained_on = models.DateField(_("ngày hoàn thành bồi dưỡng"), null=True, blank=True)
    term_start = models.DateField(_("ngày bắt đầu nhiệm kỳ"))
    term_end = models.DateField(_("ngày kết thúc nhiệm kỳ"), null=True, blank=True)

    objects = VillageHeadQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("trưởng thôn, xóm")
        verbose_name_plural = _("trưởng thôn, xóm")
        constraints = [period_constraint("village_head_period", "term_start", "term_end")]
        indexes = [models.Index(fields=["hamlet", "term_start"])]

    def __str__(self):
        return self.full_name

    def clean(self):
        others = (
            list(VillageHead.objects.filter(hamlet_id=self.hamlet_id).exclude(pk=self.pk)) if self.hamlet_id else []
        )
        rules.raise_for(rules.village_head_errors(self, hamlet_terms=others))


class AdmissionTarget(models.Model):
    commune = models.ForeignKey(
        Commune, verbose_name=_("xã"), on_delete=models.PROTECT, related_name="admission_targets"
    )
    year = models.PositiveIntegerField(_("năm"))
    target = models.PositiveIntegerField(_("chỉ tiêu kết nạp"))

    objects = ScopedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["commune__code", "year"]
        verbose_name = _("chỉ tiêu kết nạp")
        verbose_name_plural = _("chỉ tiêu kết nạp")
        constraints = [models.UniqueConstraint(fields=["commune", "year"], name="admission_target_key")]

    def __str__(self):
        return f"{self.commune} {self.year}: {self.target}"


class BranchRating(models.Model):
    class Rating(models.TextChoices):
        EXCELLENT = "excellent", _("hoàn thành xuất sắc nhiệm vụ")
        GOOD = "good", _("hoàn thành tốt nhiệm vụ")
        COMPLETED = "completed", _("hoàn thành nhiệm vụ")
        NOT_COMPLETED = "not_completed", _("không hoàn thành nhiệm vụ")

    branch = models.ForeignKey(Branch, verbose_name=_("chi bộ"), on_delete=models.PROTECT, related_name="ratings")
    year = models.PositiveIntegerField(_("năm"))
    rating = models.CharField(_("xếp loại"), max_length=20, choices=Rating.choices)

    objects = BranchScopedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["branch__code", "year"]
        verbose_name = _("xếp loại chi bộ")
        verbose_name_plural = _("xếp loại chi bộ")
        constraints = [models.UniqueConstraint(fields=["branch", "year"], name="branch_rating_key")]

    def __str__(self):
        return f"{self.branch} {self.year}: {self.get_rating_display()}"


class Candidate(models.Model):
    class Status(models.TextChoices):
        CULTIVATING = "cultivating", _("đang bồi dưỡng")
        APPLIED = "applied", _("đã làm hồ sơ")
        ADMITTED = "admitted", _("đã kết nạp")
        DROPPED = "dropped", _("dừng bồi dưỡng")

    code = code_field()
    full_name = models.CharField(_("họ và tên"), max_length=200)
    name_folded = FoldedField(source="full_name")
    name_sort = SortKeyField(source="full_name")
    hamlet = models.ForeignKey(Hamlet, verbose_name=_("thôn, xóm"), on_delete=models.PROTECT, related_name="candidates")
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    identified_on = models.DateField(_("ngày đưa vào diện bồi dưỡng"))
    course_completed_on = models.DateField(_("ngày hoàn thành lớp nhận thức về Đảng"), null=True, blank=True)
    status = models.CharField(_("tình trạng"), max_length=20, choices=Status.choices, default=Status.CULTIVATING)
    member = models.ForeignKey(
        Member,
        verbose_name=_("hồ sơ đảng viên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidacies",
    )

    objects = CandidateQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("quần chúng ưu tú")
        verbose_name_plural = _("quần chúng ưu tú")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="admitted") & Q(member__isnull=False))
                | (~Q(status="admitted") & Q(member__isnull=True)),
                name="candidate_member_iff_admitted",
            )
        ]

    def __str__(self):
        return self.full_name

    def clean(self):
        rules.raise_for(rules.candidate_errors(self))


def hamlet_choices_error(branch, hamlets):
    """Convenience for forms: raise the served-hamlets rule as a ValidationError."""
    errors = rules.branch_hamlet_errors(branch, hamlets)
    if errors:
        raise ValidationError({"hamlets": [message for _field, message in errors]})


class Role(models.TextChoices):
    DISTRICT_STAFF = "district_staff", _("cán bộ huyện (nhập liệu)")
    PROVINCIAL_VIEWER = "provincial_viewer", _("cán bộ tỉnh (xem)")
    PROVINCIAL_APPROVER = "provincial_approver", _("lãnh đạo tỉnh (duyệt)")
    ADMIN = "admin", _("quản trị")


class Profile(models.Model):
    """A personal account's role and scope (domain.md, "Who uses it").

    District staff have a district, or a commune for a commune-scoped account;
    the provincial roles see one province when `province` is set, else the
    whole installation (a national viewer); administrators see everything.
    """

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    district = models.ForeignKey(District, verbose_name=_("huyện"), null=True, blank=True, on_delete=models.PROTECT)
    commune = models.ForeignKey(Commune, verbose_name=_("xã"), null=True, blank=True, on_delete=models.PROTECT)
    province = models.ForeignKey(Province, verbose_name=_("tỉnh"), null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("phân quyền tài khoản")
        verbose_name_plural = _("phân quyền tài khoản")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="district_staff") | Q(district__isnull=False) | Q(commune__isnull=False),
                name="profile_staff_has_scope",
            ),
            # A province limits the provincial roles only.
            models.CheckConstraint(
                condition=Q(province__isnull=True) | Q(role__in=["provincial_viewer", "provincial_approver"]),
                name="profile_province_of_provincial_role",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}"


class Upload(models.Model):
    """A spreadsheet uploaded in the browser, kept between preview and confirmation."""

    token = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="uploads")
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp tải lên")
        verbose_name_plural = _("tệp tải lên")

    def __str__(self):
        return self.filename


# Reorganisations and background jobs live in their own modules; imported here so Django finds them.
from .jobs import Job  # noqa: E402, F401
from .lineage import LineageLink, ParentChange, Reorganisation  # noqa: E402, F401
