"""Registry of units, branches and people (domain.md, "Entities").

Every rule of domain.md lives in hamlets/rules.py; `clean()` here only gathers
the neighbouring records a rule needs and calls it, so that forms, the admin
and the import (which calls the same rules on its in-memory records) agree.

"Active on a date" is written once per model, as a QuerySet method
`active_on(day)`; periods are half-open ([start, end)).

Every registry model keeps its history (`history = HistoricalRecords()`): who
changed what, when (domain.md rule 8). The latest history id of a record is
also the version token that edit forms use to refuse lost updates.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from coverage_site.lib.text import fold

from . import rules
from .fields import FoldedField, SortKeyField

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


def active_q(day, start, end, *, start_required=True, prefix=""):
    """Rows whose half-open period [start, end) contains `day` (indicators.md,
    "States at a date D"). Every `active_on()` below is this, once per model;
    coverage_site.lib.dates.is_active is the same test in Python."""
    started = Q(**{f"{prefix}{start}__lte": day})
    if not start_required:
        started |= Q(**{f"{prefix}{start}__isnull": True})
    return started & (Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gt": day}))


class ScopedQuerySet(models.QuerySet):
    """`visible_to(user)` / `editable_by(user)`: rows inside the user's scope.

    `commune_path` is the lookup from the model to its commune; the decision
    of which communes a user may see is hamlets/permissions.py's.

    Parents are dated (hamlets/lineage.py): a commune's staff read what was
    theirs at any time (`in_communes`, through the unit the record hangs on,
    `dated_unit`), but edit only what their communes hold today (`held_by`).
    """

    commune_path = "commune"
    # (kind of placement, lookup from the model to that unit) for in_communes; None: the path alone.
    dated_unit = None

    def held_by(self, communes):
        """Rows whose unit belongs to one of `communes` today."""
        return self.filter(**{f"{self.commune_path}__in": communes})

    def in_communes(self, communes):
        """Rows whose unit belongs, or once belonged, to one of `communes`."""
        if self.dated_unit is None:
            return self.held_by(communes)
        from .placement import ever_under_q

        kind, path = self.dated_unit
        model = {"hamlet": Hamlet, "branch": Branch}[kind]
        if path == "pk":
            return self.filter(ever_under_q(kind, communes))
        return self.filter(**{f"{path}__in": model.objects.filter(ever_under_q(kind, communes)).values("pk")})

    def visible_to(self, user):
        from .permissions import sees_everything, visible_communes

        if sees_everything(user):
            return self.all()  # the whole province: no scope filter for the database to evaluate
        return self.in_communes(visible_communes(user))

    def editable_by(self, user):
        from .permissions import can_edit, visible_communes

        return self.held_by(visible_communes(user)) if can_edit(user) else self.none()


TRIGRAM = 3  # the shortest word a trigram index can look up


class SearchQuerySet(ScopedQuerySet):
    folded_field = "name_folded"

    def search(self, text):
        """Rows whose name contains `text`, ignoring case and diacritics."""
        words = fold(text).split()
        qs = self
        for word in words:
            if len(word) < TRIGRAM:
                # PostgreSQL's trigram index (migration 0006) has nothing to
                # look up for a word this short and would read the whole index
                # (260 ms for "le", against 90 ms scanning the rows): the same
                # test through LOWER(), which the index does not serve. The
                # folded names are lower-case already, so it finds the same rows.
                qs = qs.alias(folded_lower=Lower(self.folded_field)).filter(folded_lower__contains=word)
            else:
                qs = qs.filter(**{f"{self.folded_field}__contains": word})
        return qs

    def best_matches_first(self, text):
        """Names with the typed words in the typed order first ("nguyen van"
        puts Nguyễn Văn Đức before Trần Văn Nguyên), then by name (domain.md)."""
        phrase = " ".join(fold(text).split())
        in_order = Case(When(**{f"{self.folded_field}__contains": phrase}, then=Value(0)), default=Value(1))
        return self.annotate(match_rank=in_order).order_by("match_rank", "name_sort", "pk")


class UnitQuerySet(SearchQuerySet):
    def search(self, text):
        """Units whose name, or a former name (a rename), contains `text`."""
        level = self.model._meta.model_name
        qs = self
        for word in fold(text).split():
            renamed = LineageLink.objects.filter(
                **{f"to_{level}": models.OuterRef("pk")}, former_name_folded__contains=word
            )
            qs = qs.filter(Q(name_folded__contains=word) | models.Exists(renamed))
        return qs

    def in_communes(self, communes):
        """Districts of the communes (communes and hamlets override this)."""
        return self.filter(pk__in=communes.values("district_id"))

    def held_by(self, communes):
        return self.in_communes(communes)

    def active_on(self, day):
        return self.filter(active_q(day, "established_on", "dissolved_on", start_required=False))


SPECIAL_AREA = "special"


class HamletQuerySet(UnitQuerySet):
    dated_unit = ("hamlet", "pk")

    def in_communes(self, communes):
        return ScopedQuerySet.in_communes(self, communes)

    def held_by(self, communes):
        return ScopedQuerySet.held_by(self, communes)

    def in_area(self, area):
        """Hamlets of an area type, or of any when `area` is "special".

        Exists rather than a join, so a hamlet with several types counts once."""
        types = Hamlet.area_types.through.objects.filter(hamlet_id=models.OuterRef("pk"))
        if area != SPECIAL_AREA:
            types = types.filter(areatype__code=area)
        return self.filter(models.Exists(types))


class CommuneQuerySet(UnitQuerySet):
    commune_path = "pk"

    def in_communes(self, communes):
        return self.filter(pk__in=communes.values("pk"))


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


class BranchQuerySet(SearchQuerySet):
    dated_unit = ("branch", "pk")

    def active_on(self, day):
        return self.filter(active_q(day, "established_on", "dissolved_on"))


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


class MemberQuerySet(SearchQuerySet):
    folded_field = "name_folded"

    def held_by(self, communes):
        """Members living in, or ever attending a branch of, the communes' units of today."""
        attended = Membership.objects.filter(member_id=models.OuterRef("pk"), branch__commune__in=communes)
        return self.filter(Q(residence_hamlet__commune__in=communes) | models.Exists(attended))

    def in_communes(self, communes):
        """Members living in, or ever attending a branch of, a unit that was ever the communes'."""
        # The hamlets' and branches' ids first (a few dozen to a few hundred):
        # with them as lists the database looks members and memberships up by
        # index. As one query with OR and EXISTS it scanned every member and
        # membership of the province (180 ms for one commune's list); with OR
        # of two id conditions it still scanned every member (75 ms), so the
        # two id sets are one UNION that the members are looked up from (31 ms).
        hamlet_ids = list(Hamlet.objects.in_communes(communes).values_list("pk", flat=True))
        branch_ids = list(Branch.objects.in_communes(communes).values_list("pk", flat=True))
        residents = Member.objects.filter(residence_hamlet_id__in=hamlet_ids).order_by().values("pk")
        attended = Membership.objects.filter(branch_id__in=branch_ids).order_by().values("member_id")
        return self.filter(pk__in=residents.union(attended))

    def with_current_branch(self):
        """current_branch / current_commune: names of the branch of the open
        membership (the latest one), in the same query (for lists)."""
        current = Membership.objects.filter(member_id=models.OuterRef("pk"), left_on__isnull=True).order_by(
            "-joined_on"
        )
        return self.annotate(
            current_branch=models.Subquery(current.values("branch__name")[:1]),
            current_commune=models.Subquery(current.values("branch__commune__name")[:1]),
        )


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


class MembershipQuerySet(ScopedQuerySet):
    commune_path = "branch__commune"
    dated_unit = ("branch", "branch")

    def active_on(self, day):
        return self.filter(active_q(day, "joined_on", "left_on"))


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


class SecretaryTermQuerySet(ScopedQuerySet):
    commune_path = "branch__commune"
    dated_unit = ("branch", "branch")

    def active_on(self, day):
        return self.filter(active_q(day, "start_on", "end_on"))


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


class VillageHeadQuerySet(SearchQuerySet):
    folded_field = "name_folded"
    commune_path = "hamlet__commune"
    dated_unit = ("hamlet", "hamlet")

    def active_on(self, day):
        return self.filter(active_q(day, "term_start", "term_end"))


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


class BranchScopedQuerySet(ScopedQuerySet):
    commune_path = "branch__commune"
    dated_unit = ("branch", "branch")


class CandidateQuerySet(SearchQuerySet):
    commune_path = "hamlet__commune"
    dated_unit = ("hamlet", "hamlet")


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
    the provincial roles and administrators see the whole province.
    """

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    district = models.ForeignKey(District, verbose_name=_("huyện"), null=True, blank=True, on_delete=models.PROTECT)
    commune = models.ForeignKey(Commune, verbose_name=_("xã"), null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("phân quyền tài khoản")
        verbose_name_plural = _("phân quyền tài khoản")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="district_staff") | Q(district__isnull=False) | Q(commune__isnull=False),
                name="profile_staff_has_scope",
            )
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
