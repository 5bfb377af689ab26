"""Forms of the data-entry pages. Choices are narrowed to the user's scope;
validation is the models' clean() (hamlets/rules.py) or the actions'."""

from html import escape

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from coverage_site.lib.dates import today, validate_in_range
from coverage_site.lib.text import vietnamese_sort_key

from . import models

DATE_WIDGET = forms.DateInput(
    attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}, format="%d/%m/%Y"
)


class DateField(forms.DateField):
    widget = DATE_WIDGET
    default_validators = [validate_in_range]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", _("Ngày/tháng/năm, ví dụ 10/11/2016."))
        super().__init__(*args, **kwargs)


class MemberCodeField(forms.CharField):
    """A member chosen by code (a province has too many for a dropdown),
    looked up among the members the user may see."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        kwargs.setdefault("help_text", _("Mã đảng viên, ví dụ DV00012."))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        member = models.Member.objects.visible_to(self.user).filter(code=code.strip()).first()
        if member is None:
            raise forms.ValidationError(
                _("Không tìm thấy đảng viên có mã “%(code)s” trong phạm vi của bạn."), params={"code": code}
            )
        return member

    def prepare_value(self, value):
        if isinstance(value, models.Member):
            return value.code
        if isinstance(value, int):
            member = models.Member.objects.filter(pk=value).first()
            return member.code if member else value
        return value


class VietnameseOrderIterator(forms.models.ModelChoiceIterator):
    """Choices in Vietnamese alphabetical order (a ă â b … đ …; "Xóm 2"
    before "Xóm 10"), which no database collation gives on both databases."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset
        if queryset.model in (models.Hamlet, models.Branch) and self.field.label_from_instance is with_commune:
            # Values, not model instances: a province's 4,000 branches as
            # objects took 0.45 s of a list page (measured); the labels are
            # with_commune's, built from the same two names.
            rows = queryset.order_by().values_list("pk", "name", "commune__name")
            choices = [(pk, f"{name} — {commune}") for pk, name, commune in rows]
        else:
            choices = [self.choice(obj) for obj in queryset]
        # vietnamese_sort_key orders as vietnamese_key does, and remembers its words (4,000 branches).
        yield from sorted(choices, key=lambda choice: vietnamese_sort_key(str(choice[1])))


def with_commune(obj):
    """Places with the same name told apart: "Chi bộ Xóm 1 — Quỳnh Thanh"."""
    return f"{obj.name} — {obj.commune.name}"


def in_vietnamese_order(field):
    """Order a model choice field's options in Vietnamese; hamlets and branches
    are labelled with their commune."""
    if field.queryset.model in (models.Hamlet, models.Branch):
        field.label_from_instance = with_commune
    field.iterator = VietnameseOrderIterator
    if type(field.widget) is forms.Select:
        field.widget = QuickSelect(attrs=field.widget.attrs)
    field.widget.choices = field.choices  # the widget keeps the iterator it was given
    return field


class QuickSelect(forms.Select):
    """A <select> whose options are written in Python, not each through a
    template: a province's list of 4,000 branches took 0.75 s a page that
    way. The same markup as Django's Select (attributes, one selected option)."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        # Escaped here, as format_html would, without its per-call overhead (4,000 options).
        options = "".join(
            f'<option value="{escape(option)}"{" selected" if option in selected else ""}>{escape(label)}</option>'
            for option, label in ((str(choice), str(label)) for choice, label in self.choices)
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), mark_safe(options)
        )


class ScopedFormMixin:
    """Narrow the choices of foreign keys to what the user may change."""

    scoped = {}  # field name -> model whose editable_by(user) gives the choices

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for name, model in self.scoped.items():
            if name in self.fields:
                self.fields[name].queryset = model.objects.editable_by(user)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model is not get_user_model():
                in_vietnamese_order(field)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE_WIDGET
                if validate_in_range not in field.validators:
                    field.validators.append(validate_in_range)
                field.help_text = field.help_text or _("Ngày/tháng/năm, ví dụ 10/11/2016.")
            if isinstance(field, MemberCodeField):
                field.user = user

    def _update_errors(self, errors):
        # A rule may concern a field this form does not show (editing a birth
        # date can break the admission age): show it above the form instead of
        # failing. The message itself names the field.
        if hasattr(errors, "error_dict"):
            remapped = {}
            for field, messages in errors.error_dict.items():
                key = field if field in self.fields else NON_FIELD_ERRORS
                remapped.setdefault(key, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)


class VersionedFormMixin:
    """A hidden version token: the record's latest history id when the form
    was opened. The view refuses to save if the record changed since."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=False)


# --- records edited field by field ---------------------------------------------------


class HamletForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    scoped = {"commune": models.Commune}

    class Meta:
        model = models.Hamlet
        fields = ["code", "name", "commune", "kind", "area_types", "established_on", "dissolved_on"]
        widgets = {"area_types": forms.CheckboxSelectMultiple}


class BranchForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    """Only the name: the served hamlets, dates and secretary change by action."""

    class Meta:
        model = models.Branch
        fields = ["name"]


class MemberForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    """Personal details; party dates change through the member's actions."""

    scoped = {"residence_hamlet": models.Hamlet}

    class Meta:
        model = models.Member
        fields = ["full_name", "gender", "birth_date", "ethnicity", "religion", "residence_hamlet", "exempt_since"]


class VillageHeadForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    member = MemberCodeField(label=_("Hồ sơ đảng viên (mã)"), required=False)

    class Meta:
        model = models.VillageHead
        fields = ["full_name", "gender", "birth_date", "member", "trained_on", "term_start", "term_end"]


class CorrectionMixin:
    """A typing mistake in a date, corrected: the same rules (the model's
    clean()), a reason, kept in the record's history (domain.md, "Corrections")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = forms.CharField(
            label=_("Lý do sửa"),
            max_length=100,
            help_text=_("Ví dụ: gõ nhầm ngày, theo quyết định số …"),
        )

    def save(self, commit=True):
        # simple_history writes this into the history entry of the change.
        self.instance._change_reason = self.cleaned_data["reason"]
        return super().save(commit)


class MembershipCorrectionForm(CorrectionMixin, ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = models.Membership
        fields = ["joined_on", "left_on", "left_reason"]


class SecretaryCorrectionForm(CorrectionMixin, ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = models.BranchSecretary
        fields = ["start_on", "end_on"]


class HeadTermCorrectionForm(CorrectionMixin, ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = models.VillageHead
        fields = ["term_start", "term_end"]


class CandidateForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    scoped = {"hamlet": models.Hamlet}
    member = MemberCodeField(label=_("Hồ sơ đảng viên (mã, khi đã kết nạp)"), required=False)

    class Meta:
        model = models.Candidate
        fields = [
            "code",
            "full_name",
            "hamlet",
            "gender",
            "birth_date",
            "identified_on",
            "course_completed_on",
            "status",
            "member",
        ]


class AdmissionTargetForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    scoped = {"commune": models.Commune}

    class Meta:
        model = models.AdmissionTarget
        fields = ["commune", "year", "target"]


class BranchRatingForm(ScopedFormMixin, VersionedFormMixin, forms.ModelForm):
    scoped = {"branch": models.Branch}

    class Meta:
        model = models.BranchRating
        fields = ["branch", "year", "rating"]


# --- actions ----------------------------------------------------------------------------


class AdmitForm(ScopedFormMixin, forms.Form):
    scoped = {"branch": models.Branch, "residence_hamlet": models.Hamlet}
    code = forms.RegexField(label=_("Mã đảng viên"), regex=models.CODE_VALIDATOR_REGEX, max_length=40)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=200)
    gender = forms.ChoiceField(label=_("Giới tính"), choices=models.Gender.choices)
    birth_date = DateField(label=_("Ngày sinh"))
    ethnicity = forms.CharField(label=_("Dân tộc"), required=False, initial="Kinh")
    religion = forms.CharField(label=_("Tôn giáo"), required=False)
    residence_hamlet = forms.ModelChoiceField(
        label=_("Nơi cư trú"), queryset=models.Hamlet.objects.none(), required=False
    )
    admitted_on = DateField(label=_("Ngày quyết định kết nạp"))
    branch = forms.ModelChoiceField(label=_("Chi bộ sinh hoạt"), queryset=models.Branch.objects.none())
    reinforcing = forms.BooleanField(label=_("Đảng viên tăng cường"), required=False)
    candidate = forms.ModelChoiceField(
        label=_("Từ quần chúng ưu tú"), queryset=models.Candidate.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = models.Branch.objects.editable_by(self.user).active_on(today())
        self.fields["candidate"].queryset = (
            models.Candidate.objects.editable_by(self.user)
            .exclude(status__in=["admitted", "dropped"])
            .order_by("name_folded")
        )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if models.Member.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Mã “%(code)s” đã được dùng."), params={"code": code})
        return code


class RecogniseForm(forms.Form):
    official_on = DateField(label=_("Ngày công nhận đảng viên chính thức"))


class TrainingForm(forms.Form):
    trained_on = DateField(label=_("Ngày hoàn thành bồi dưỡng nghiệp vụ"))


class TransferForm(ScopedFormMixin, forms.Form):
    to_branch = forms.ModelChoiceField(label=_("Chuyển đến chi bộ"), queryset=models.Branch.objects.none())
    on = DateField(label=_("Ngày chuyển sinh hoạt"))
    reinforcing = forms.BooleanField(label=_("Sinh hoạt theo diện tăng cường"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_branch"].queryset = (
            models.Branch.objects.editable_by(self.user)
            .filter(dissolved_on__isnull=True)
            .select_related("commune")
            .order_by("commune__name", "name")
        )
        self.fields["to_branch"].label_from_instance = lambda b: f"{b.name} ({b.commune.name})"


class LeaveForm(forms.Form):
    on = DateField(label=_("Ngày thôi sinh hoạt"))
    reason = forms.ChoiceField(
        label=_("Lý do"), choices=[c for c in models.Membership.LeftReason.choices if c[0] != "transferred"]
    )


class FoundBranchForm(ScopedFormMixin, forms.Form):
    scoped = {"commune": models.Commune}
    code = forms.RegexField(label=_("Mã chi bộ"), regex=models.CODE_VALIDATOR_REGEX, max_length=40)
    name = forms.CharField(label=_("Tên chi bộ"), max_length=200)
    commune = forms.ModelChoiceField(label=_("Xã"), queryset=models.Commune.objects.none())
    hamlets = forms.ModelMultipleChoiceField(
        label=_("Thôn, xóm sinh hoạt"), queryset=models.Hamlet.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    established_on = DateField(label=_("Ngày thành lập"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hamlets"].queryset = (
            models.Hamlet.objects.editable_by(self.user)
            .filter(dissolved_on__isnull=True)
            .select_related("commune")
            .order_by("commune__name", "code")
        )
        self.fields["hamlets"].label_from_instance = lambda h: f"{h.name} ({h.commune.name})"

    def clean_code(self):
        code = self.cleaned_data["code"]
        if models.Branch.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Mã “%(code)s” đã được dùng."), params={"code": code})
        return code


class ChangeHamletsForm(ScopedFormMixin, forms.Form):
    hamlets = forms.ModelMultipleChoiceField(
        label=_("Thôn, xóm sinh hoạt (mới)"),
        queryset=models.Hamlet.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    on = DateField(label=_("Từ ngày"))
    new_code = forms.RegexField(label=_("Mã chi bộ mới"), regex=models.CODE_VALIDATOR_REGEX, max_length=40)
    new_name = forms.CharField(label=_("Tên chi bộ mới"), max_length=200)

    def __init__(self, *args, branch=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hamlets"].queryset = models.Hamlet.objects.editable_by(self.user).filter(
            commune=branch.commune, dissolved_on__isnull=True
        )

    def clean_new_code(self):
        code = self.cleaned_data["new_code"]
        if models.Branch.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Mã “%(code)s” đã được dùng."), params={"code": code})
        return code


class SecretaryForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Bí thư mới"), queryset=models.Member.objects.none())
    start_on = DateField(label=_("Từ ngày"))

    def __init__(self, *args, branch=None, **kwargs):
        super().__init__(*args, **kwargs)
        active = models.Membership.objects.active_on(today()).filter(branch=branch).values("member_id")
        self.fields["member"].queryset = models.Member.objects.filter(pk__in=active).order_by("name_folded")
        self.fields["member"].help_text = _("Một đảng viên đang sinh hoạt ở chi bộ này.")


class DissolveForm(forms.Form):
    on = DateField(label=_("Ngày giải thể"))


class AppointHeadForm(ScopedFormMixin, forms.Form):
    code = forms.RegexField(label=_("Mã nhiệm kỳ"), regex=models.CODE_VALIDATOR_REGEX, max_length=40)
    full_name = forms.CharField(label=_("Họ và tên trưởng thôn"), max_length=200)
    gender = forms.ChoiceField(label=_("Giới tính"), choices=[("", "—"), *models.Gender.choices], required=False)
    birth_date = DateField(label=_("Ngày sinh"), required=False)
    member = MemberCodeField(label=_("Hồ sơ đảng viên (mã, nếu là đảng viên)"), required=False)
    trained_on = DateField(label=_("Ngày hoàn thành bồi dưỡng"), required=False)
    term_start = DateField(label=_("Bắt đầu nhiệm kỳ"))
    term_end = DateField(label=_("Kết thúc nhiệm kỳ (dự kiến)"), required=False)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if models.VillageHead.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Mã “%(code)s” đã được dùng."), params={"code": code})
        return code


class EndTermForm(forms.Form):
    term_end = DateField(label=_("Ngày kết thúc nhiệm kỳ"))


class ChangeLogForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Người sửa"), queryset=None, required=False)
    since = DateField(label=_("Từ ngày"), required=False, help_text="")
    until = DateField(label=_("Đến ngày"), required=False, help_text="")

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.order_by("username")


# --- reorganisation events (administrators) ---------------------------------------------------


def _codes(text):
    return [code for code in (part.strip() for part in text.replace(";", ",").replace("\n", ",").split(",")) if code]


class ReorganisationForm(forms.ModelForm):
    """An event as an administrator enters it from the legal act: codes of the
    predecessors, one line per successor, the parent. Turned into the event's
    `content` (hamlets/reorganise.py)."""

    predecessors = forms.CharField(
        label=_("Đơn vị trước sắp xếp (mã)"),
        required=False,
        help_text=_("Mã các thôn, xóm (hoặc xã, huyện), cách nhau bằng dấu phẩy. Ví dụ: QL-QT-06, QL-QT-07."),
    )
    successors = forms.CharField(
        label=_("Đơn vị sau sắp xếp"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Mỗi dòng một đơn vị: mã; tên; số hộ (không bắt buộc). Mã chưa có thì đơn vị được thành lập; "
            "mã đã có là đơn vị nhận sáp nhập. Ví dụ: QL-QT-03; Xóm 3; 215"
        ),
    )
    into = forms.CharField(
        label=_("Thuộc đơn vị (mã)"),
        required=False,
        help_text=_("Xã của thôn, xóm mới hoặc chuyển đến; huyện của xã (để trống: trực thuộc tỉnh)."),
    )
    new_name = forms.CharField(label=_("Tên mới (đổi tên)"), required=False)
    secretary = forms.CharField(
        label=_("Bí thư lâm thời (mã đảng viên)"),
        required=False,
        help_text=_("Chỉ định bí thư lâm thời cho chi bộ mới (sáp nhập thôn, xóm)."),
    )
    residents = forms.CharField(
        label=_("Nơi ở mới của đảng viên (chia tách)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Mỗi dòng: mã đảng viên: mã thôn, xóm kế thừa. Người không ghi về thôn, xóm kế thừa có nhiều hộ nhất."
        ),
    )

    class Meta:
        model = models.Reorganisation
        fields = ["code", "level", "kind", "effective_on", "act_number", "act_date", "act_issuer", "note"]
        field_classes = {"effective_on": DateField, "act_date": DateField}
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        kwargs.pop("user", None)
        super().__init__(*args, **kwargs)
        content = self.instance.content or {}
        if content and not self.is_bound:
            self.initial.update(
                predecessors=", ".join(content.get("from", [])),
                successors="\n".join(
                    "; ".join(str(x) for x in (s.get("code", ""), s.get("name", ""), s.get("share") or "") if x != "")
                    for s in content.get("to", [])
                ),
                into=content.get("into", ""),
                new_name=content.get("name", ""),
                secretary=next(iter(content.get("branches", {}).values()), {}).get("secretary", ""),
                residents="\n".join(f"{m}: {h}" for m, h in content.get("residents", {}).items()),
            )

    def clean_successors(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["successors"].splitlines(), 1):
            parts = [part.strip() for part in line.split(";")]
            if not parts[0]:
                continue
            row = {"code": parts[0]}
            if len(parts) > 1 and parts[1]:
                row["name"] = parts[1]
            if len(parts) > 2 and parts[2]:
                if not parts[2].isdigit():
                    raise forms.ValidationError(
                        _("Dòng %(line)d: số hộ “%(value)s” phải là số nguyên.") % {"line": number, "value": parts[2]}
                    )
                row["share"] = int(parts[2])
            rows.append(row)
        return rows

    def clean_residents(self):
        pairs = {}
        for number, line in enumerate(self.cleaned_data["residents"].splitlines(), 1):
            if not line.strip():
                continue
            member, sep, hamlet = line.partition(":")
            if not sep or not member.strip() or not hamlet.strip():
                raise forms.ValidationError(_("Dòng %(line)d: cần “mã đảng viên: mã thôn, xóm”.") % {"line": number})
            pairs[member.strip()] = hamlet.strip()
        return pairs

    def save(self, commit=True):
        data = self.cleaned_data
        content = {"from": _codes(data["predecessors"]), "to": data["successors"]}
        if data["into"].strip():
            content["into"] = data["into"].strip()
        if data["new_name"].strip():
            content["name"] = data["new_name"].strip()
        if data["residents"]:
            content["residents"] = data["residents"]
        if data["secretary"].strip() and len(data["successors"]) == 1:
            content["branches"] = {data["successors"][0]["code"]: {"secretary": data["secretary"].strip()}}
        self.instance.content = content
        return super().save(commit)
