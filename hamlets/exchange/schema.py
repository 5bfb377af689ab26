"""The sheets and columns of exchange-format.md, declared once.

The importer, the exporter and the browser template all read this table.

Each sheet and column has its exchange key ("members", "full_name") and a
Vietnamese label ("Đảng viên", "Họ và tên"), taken from the models' own
verbose names. The browser template is written with the labels, for a clerk
who lives in Excel; files name either, and are matched without case or
diacritics ("ho va ten" is "Họ và tên"). Coded values likewise: "nữ" is
"female", "chuyển sinh hoạt" is "transferred".
"""

from dataclasses import dataclass, field

from django.utils import translation

from coverage_site.lib.text import fold

from .. import models


@dataclass(frozen=True)
class Column:
    key: str
    type: str  # code | text | date | bool | list | int | choice
    required: bool = False
    # Model attribute the column fills; for references the FK name, for lists the M2M name.
    attr: str | None = None
    # For references and lists: the sheet whose codes it holds.
    ref: str | None = None
    choices: tuple = ()
    default: object = None


@dataclass(frozen=True)
class Sheet:
    name: str
    model: type
    columns: tuple
    key: tuple  # column keys forming the record's key
    label: str = ""
    column_by_key: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self):
        self.column_by_key.update({c.key: c for c in self.columns})

    def column_label(self, column):
        """The column's Vietnamese header: the model field's name ("Họ và
        tên"); a reference names the code it holds ("Mã xã")."""
        try:
            with translation.override("vi"):
                name = str(self.model._meta.get_field(column.attr or column.key).verbose_name)
        except Exception:  # noqa: BLE001 - a column without a model field of that name
            return column.key
        return f"Mã {name}" if column.ref and column.key != "code" else name[:1].upper() + name[1:]

    def column_key(self, header):
        """The key of a header cell written as a key or as a label; the cell itself if neither."""
        folded = fold(str(header or ""))
        for column in self.columns:
            if folded in (fold(column.key), fold(self.column_label(column))):
                return column.key
        return header

    @property
    def required_columns(self):
        return [c.key for c in self.columns if c.required]

    def column_for_attr(self, attr):
        for column in self.columns:
            if (column.attr or column.key) == attr:
                return column.key
        return None


def _choices(enum):
    return tuple(value for value, _label in enum.choices)


SHEETS = (
    Sheet(
        "area_types",
        models.AreaType,
        (Column("code", "code", True), Column("name", "text", True)),
        ("code",),
        "Vùng đặc thù",
    ),
    # Optional: a one-province installation has none (docs/exchange-format-additions.md).
    Sheet(
        "provinces",
        models.Province,
        (
            Column("code", "code", True),
            Column("name", "text", True),
            Column("established_on", "date"),
            Column("dissolved_on", "date"),
        ),
        ("code",),
        "Tỉnh",
    ),
    Sheet(
        "districts",
        models.District,
        (
            Column("code", "code", True),
            Column("name", "text", True),
            Column("established_on", "date"),
            Column("dissolved_on", "date"),
        ),
        ("code",),
        "Huyện",
    ),
    Sheet(
        "communes",
        models.Commune,
        (
            Column("code", "code", True),
            Column("name", "text", True),
            Column("district_code", "code", attr="district", ref="districts"),
            Column("province_code", "code", attr="province", ref="provinces"),
            Column("established_on", "date"),
            Column("dissolved_on", "date"),
        ),
        ("code",),
        "Xã, phường, thị trấn",
    ),
    Sheet(
        "hamlets",
        models.Hamlet,
        (
            Column("code", "code", True),
            Column("name", "text", True),
            Column("commune_code", "code", True, attr="commune", ref="communes"),
            Column("kind", "choice", choices=_choices(models.Hamlet.Kind), default="xom"),
            Column("area_types", "list", attr="area_types", ref="area_types"),
            Column("established_on", "date"),
            Column("dissolved_on", "date"),
        ),
        ("code",),
        "Thôn, xóm",
    ),
    Sheet(
        "branches",
        models.Branch,
        (
            Column("code", "code", True),
            Column("name", "text", True),
            Column("commune_code", "code", True, attr="commune", ref="communes"),
            Column("hamlet_codes", "list", True, attr="hamlets", ref="hamlets"),
            Column("established_on", "date", True),
            Column("dissolved_on", "date"),
        ),
        ("code",),
        "Chi bộ",
    ),
    Sheet(
        "members",
        models.Member,
        (
            Column("code", "code", True),
            Column("full_name", "text", True),
            Column("gender", "choice", True, choices=_choices(models.Gender)),
            Column("birth_date", "date", True),
            Column("ethnicity", "text"),
            Column("religion", "text"),
            Column("residence_hamlet_code", "code", attr="residence_hamlet", ref="hamlets"),
            Column("admitted_on", "date", True),
            Column("official_on", "date"),
            Column("trained_on", "date"),
            Column("exempt_since", "date"),
        ),
        ("code",),
        "Đảng viên",
    ),
    Sheet(
        "memberships",
        models.Membership,
        (
            Column("member_code", "code", True, attr="member", ref="members"),
            Column("branch_code", "code", True, attr="branch", ref="branches"),
            Column("joined_on", "date", True),
            Column("left_on", "date"),
            Column("left_reason", "choice", choices=_choices(models.Membership.LeftReason)),
            Column("reinforcing", "bool", default=False),
        ),
        ("member_code", "branch_code", "joined_on"),
        "Sinh hoạt đảng",
    ),
    Sheet(
        "branch_secretaries",
        models.BranchSecretary,
        (
            Column("branch_code", "code", True, attr="branch", ref="branches"),
            Column("member_code", "code", True, attr="member", ref="members"),
            Column("start_on", "date", True),
            Column("end_on", "date"),
        ),
        ("branch_code", "start_on"),
        "Bí thư chi bộ",
    ),
    Sheet(
        "village_heads",
        models.VillageHead,
        (
            Column("code", "code", True),
            Column("hamlet_code", "code", True, attr="hamlet", ref="hamlets"),
            Column("full_name", "text", True),
            Column("gender", "choice", choices=_choices(models.Gender)),
            Column("birth_date", "date"),
            Column("member_code", "code", attr="member", ref="members"),
            Column("trained_on", "date"),
            Column("term_start", "date", True),
            Column("term_end", "date"),
        ),
        ("code",),
        "Trưởng thôn, xóm",
    ),
    Sheet(
        "admission_targets",
        models.AdmissionTarget,
        (
            Column("commune_code", "code", True, attr="commune", ref="communes"),
            Column("year", "int", True),
            Column("target", "int", True),
        ),
        ("commune_code", "year"),
        "Chỉ tiêu kết nạp",
    ),
    Sheet(
        "branch_ratings",
        models.BranchRating,
        (
            Column("branch_code", "code", True, attr="branch", ref="branches"),
            Column("year", "int", True),
            Column("rating", "choice", True, choices=_choices(models.BranchRating.Rating)),
        ),
        ("branch_code", "year"),
        "Xếp loại chi bộ",
    ),
    Sheet(
        "candidates",
        models.Candidate,
        (
            Column("code", "code", True),
            Column("full_name", "text", True),
            Column("hamlet_code", "code", True, attr="hamlet", ref="hamlets"),
            Column("gender", "choice", choices=_choices(models.Gender)),
            Column("birth_date", "date"),
            Column("identified_on", "date", True),
            Column("course_completed_on", "date"),
            Column("status", "choice", True, choices=_choices(models.Candidate.Status)),
            Column("member_code", "code", attr="member", ref="members"),
        ),
        ("code",),
        "Quần chúng ưu tú",
    ),
    # Reorganisations (docs/exchange-format-additions.md): the events, their
    # lineage and the dated parents they wrote.
    Sheet(
        "reorganisations",
        models.Reorganisation,
        (
            Column("code", "code", True),
            Column("level", "choice", True, choices=_choices(models.Reorganisation.Level)),
            Column("kind", "choice", True, choices=_choices(models.Reorganisation.Kind)),
            Column("effective_on", "date", True),
            Column("act_number", "text", True),
            Column("act_date", "date", True),
            Column("act_issuer", "text", True),
            Column("note", "text"),
            Column("status", "choice", choices=_choices(models.Reorganisation.Status), default="planned"),
            Column("content", "json"),
        ),
        ("code",),
        "Sắp xếp đơn vị",
    ),
    Sheet(
        "lineage_links",
        models.LineageLink,
        (
            Column("event_code", "code", True, attr="event", ref="reorganisations"),
            *(
                Column(
                    f"{side}_{level}_code",
                    "code",
                    attr=f"{side}_{level}",
                    ref=f"{level}es" if level == "branch" else f"{level}s",
                )
                for level in ("hamlet", "commune", "district", "province", "branch")
                for side in ("from", "to")
            ),
            Column("whole", "bool", default=True),
            Column("share", "int"),
            Column("former_name", "text"),
        ),
        (
            "event_code",
            "from_hamlet_code",
            "to_hamlet_code",
            "from_commune_code",
            "to_commune_code",
            "from_district_code",
            "to_district_code",
            "from_province_code",
            "to_province_code",
            "from_branch_code",
            "to_branch_code",
        ),
        "Quan hệ kế thừa",
    ),
    Sheet(
        "parent_changes",
        models.ParentChange,
        (
            Column("event_code", "code", attr="event", ref="reorganisations"),
            Column("changed_on", "date", True),
            Column("hamlet_code", "code", attr="hamlet", ref="hamlets"),
            Column("branch_code", "code", attr="branch", ref="branches"),
            Column("commune_code", "code", attr="commune", ref="communes"),
            Column("member_code", "code", attr="member", ref="members"),
            Column("old_commune_code", "code", attr="old_commune", ref="communes"),
            Column("old_district_code", "code", attr="old_district", ref="districts"),
            Column("old_hamlet_code", "code", attr="old_hamlet", ref="hamlets"),
            Column("old_province_code", "code", attr="old_province", ref="provinces"),
        ),
        # A commune may change district and province on the same day (1/7/2025):
        # whether the province changed is part of the key.
        ("hamlet_code", "branch_code", "commune_code", "member_code", "changed_on", "old_province_code"),
        "Thay đổi đơn vị trực thuộc",
    ),
)

SHEET_BY_NAME = {sheet.name: sheet for sheet in SHEETS}

# Sheets of the browser template that hold no records: the importer skips them.
HELP_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
HELPER_SHEETS = (HELP_SHEET, LISTS_SHEET)


def is_helper_sheet(name):
    return fold(str(name or "")) in {fold(helper) for helper in HELPER_SHEETS}


def sheet_named(name):
    """The sheet a file's sheet name means: its key ("members") or its label ("Đảng viên")."""
    folded = fold(str(name or ""))
    for sheet in SHEETS:
        if folded in (fold(sheet.name), fold(sheet.label)):
            return sheet
    return None


@dataclass(frozen=True)
class ChoiceLabels:
    """How a coded column's values may be written: {folded label or code:
    code}, in Vietnamese and in the active language ("nữ", "nu", "female"
    all mean "female"); `shown` lists them for a message ("female (nữ)")."""

    by_fold: dict
    shown: tuple


def choice_labels(sheet, column):
    field = sheet.model._meta.get_field(column.attr or column.key)
    by_fold = {}
    for language in ("vi", translation.get_language() or "vi"):
        with translation.override(language):
            by_fold.update({fold(str(label)): value for value, label in field.choices})
    by_fold.update({fold(value): value for value in column.choices})
    shown = tuple(f"{value} ({choice_label(sheet, column, value)})" for value in column.choices)
    return ChoiceLabels(by_fold, shown)


def choice_label(sheet, column, value):
    """The Vietnamese label of a coded value, as the template writes it."""
    field = sheet.model._meta.get_field(column.attr or column.key)
    with translation.override("vi"):
        return str(dict(field.choices).get(value, value))


DESCRIPTION_MARK = "↳ "


def describe(sheet, column):
    """A one-line explanation of a column, for the second header row of the
    browser template. It starts with DESCRIPTION_MARK, which is how the
    importer recognises (and skips) that row."""
    from django.utils.translation import gettext as _

    try:
        label = str(sheet.model._meta.get_field(column.attr or column.key).verbose_name)
    except Exception:  # noqa: BLE001 - a column without a model field of that name
        label = column.key
    kinds = {
        "text": _("chữ"),
        "date": _("ngày dd/mm/yyyy"),
        "bool": _("có / không"),
        "code": _("mã") + (_(", chọn trong danh sách") if column.ref in ("hamlets", "branches", "members") else ""),
        "int": _("số nguyên"),
        "list": _("các mã, cách nhau bởi ;"),
        "choice": _("chọn trong danh sách: %(choices)s")
        % {"choices": ", ".join(choice_label(sheet, column, value) for value in column.choices)},
    }
    parts = [label.capitalize(), kinds[column.type]]
    if column.required:
        parts.append(_("bắt buộc"))
    return DESCRIPTION_MARK + " – ".join(parts)


def is_description_row(cells):
    texts = [str(cell) for cell in cells if cell not in (None, "")]
    return bool(texts) and all(text.startswith(DESCRIPTION_MARK) for text in texts)
