"""The rules data must obey (domain.md, "Rules that data must obey").

This is the one place they are written. Each function takes a record (a model
instance, saved or not) and the neighbouring records the rule needs, and
returns a list of (field name, message) pairs; an empty list means the record
is valid. Model.clean() (and so forms and the admin) fetch the neighbours from
the database; the import engine passes its in-memory records, which is how it
checks "the data as it will be after the import" without a query per row.

Messages name the record and the field, in the active language.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from coverage_site.lib.dates import add_years
from coverage_site.lib.dates import today as local_today

MIN_ADMISSION_AGE = 18
ELDERLY_ADMISSION_AGE = 60
MIN_VILLAGE_HEAD_AGE = 21


def raise_for(errors):
    """Turn rule errors into the ValidationError Django's forms understand."""
    if not errors:
        return
    by_field = {}
    for field, message in errors:
        by_field.setdefault(field or "__all__", []).append(message)
    raise ValidationError(by_field)


def label(record):
    """How a message names a record: its kind, code and name."""
    kind = record._meta.verbose_name
    code = getattr(record, "code", "") or ""
    name = getattr(record, "full_name", None) or getattr(record, "name", None) or ""
    if code and name:
        return f"{kind.capitalize()} {code} ({name})"
    if code or name:
        return f"{kind.capitalize()} {code or name}"
    return f"{kind.capitalize()} {record}"


class _LabelOf:
    """label(record), worked out only if a message uses it (the rules run on
    every record of an import, and almost all of them pass)."""

    def __init__(self, record):
        self.record = record

    def __str__(self):
        return label(self.record)


def _field_label(record, field):
    return record._meta.get_field(field).verbose_name


def _is_after(day, start):
    return day is not None and start is not None and day <= start


def period_errors(record, start, end):
    """Rule 2: an end date, when set, is after the start date."""
    start_value, end_value = getattr(record, start), getattr(record, end)
    if _is_after(end_value, start_value):
        return [
            (
                end,
                _("%(record)s: %(end)s (%(end_value)s) phải sau %(start)s (%(start_value)s).")
                % {
                    "record": label(record),
                    "end": _field_label(record, end),
                    "end_value": end_value.strftime("%d/%m/%Y"),
                    "start": _field_label(record, start),
                    "start_value": start_value.strftime("%d/%m/%Y"),
                },
            )
        ]
    return []


def not_future_errors(record, fields, today=None):
    """Rule 2: dates of things that have happened are not in the future."""
    today = today or local_today()
    errors = []
    for field in fields:
        value = getattr(record, field)
        if value is not None and value > today:
            errors.append(
                (
                    field,
                    _("%(record)s: %(field)s (%(value)s) không được ở tương lai.")
                    % {
                        "record": label(record),
                        "field": _field_label(record, field),
                        "value": value.strftime("%d/%m/%Y"),
                    },
                )
            )
    return errors


def _overlaps(start_a, end_a, start_b, end_b):
    """Half-open periods [start, end) overlap; None as end means open."""
    return (end_b is None or start_a < end_b) and (end_a is None or start_b < end_a)


def _fmt_period(start, end):
    return f"{start:%d/%m/%Y} – {end:%d/%m/%Y}" if end else f"{start:%d/%m/%Y} –"


# --- units -------------------------------------------------------------------


def unit_errors(unit, today=None):
    """Districts, communes and hamlets."""
    return period_errors(unit, "established_on", "dissolved_on") + not_future_errors(unit, ["established_on"], today)


def branch_errors(branch, today=None):
    return period_errors(branch, "established_on", "dissolved_on") + not_future_errors(
        branch, ["established_on"], today
    )


def branch_hamlet_errors(branch, hamlets):
    """Rule 3: a branch serves at least one hamlet, all of its own commune."""
    if not hamlets:
        return [("hamlets", _("%(record)s: phải phục vụ ít nhất một thôn, xóm.") % {"record": label(branch)})]
    errors = []
    for hamlet in hamlets:
        # Compared by code: during an import both may be unsaved.
        if hamlet.commune.code != branch.commune.code:
            errors.append(
                (
                    "hamlets",
                    _("%(record)s: thôn, xóm %(hamlet)s không thuộc xã của chi bộ.")
                    % {"record": label(branch), "hamlet": hamlet.code},
                )
            )
    return errors


# --- people ------------------------------------------------------------------


def member_errors(member, today=None):
    """Rule 4 (admission age, full-member date) and rule 2 for a member."""
    errors = not_future_errors(member, ["birth_date", "admitted_on", "official_on", "trained_on"], today)
    if (
        member.birth_date
        and member.admitted_on
        and member.admitted_on < add_years(member.birth_date, MIN_ADMISSION_AGE)
    ):
        errors.append(
            (
                "admitted_on",
                _("%(record)s: chưa đủ %(age)d tuổi vào ngày kết nạp %(day)s.")
                % {"record": label(member), "age": MIN_ADMISSION_AGE, "day": member.admitted_on.strftime("%d/%m/%Y")},
            )
        )
    if member.official_on and member.admitted_on and member.official_on < member.admitted_on:
        errors.append(
            (
                "official_on",
                _("%(record)s: ngày công nhận chính thức phải từ ngày kết nạp (%(day)s) trở đi.")
                % {"record": label(member), "day": member.admitted_on.strftime("%d/%m/%Y")},
            )
        )
    return errors


def member_warnings(member):
    """Legal but worth a second look: admission at 60 or older (rule 4)."""
    if (
        member.birth_date
        and member.admitted_on
        and member.admitted_on >= add_years(member.birth_date, ELDERLY_ADMISSION_AGE)
    ):
        return [
            (
                "admitted_on",
                _("%(record)s: kết nạp khi đã từ %(age)d tuổi trở lên (trường hợp đặc biệt).")
                % {"record": label(member), "age": ELDERLY_ADMISSION_AGE},
            )
        ]
    return []


def membership_errors(membership, *, member, branch, siblings, today=None):
    """Rules 2 and 5 for one membership.

    `siblings` are the member's other memberships (as they will be).
    """
    who = _LabelOf(member) if member is not None else _("Sinh hoạt đảng")
    errors = period_errors(membership, "joined_on", "left_on") + not_future_errors(membership, ["joined_on"], today)
    if membership.left_on and not membership.left_reason:
        errors.append(("left_reason", _("%(record)s: cần ghi lý do thôi sinh hoạt.") % {"record": who}))
    if membership.left_reason and not membership.left_on:
        errors.append(
            ("left_reason", _("%(record)s: chỉ ghi lý do thôi sinh hoạt khi có ngày thôi sinh hoạt.") % {"record": who})
        )
    joined = membership.joined_on
    if member is not None and joined and member.admitted_on and joined < member.admitted_on:
        errors.append(
            (
                "joined_on",
                _("%(record)s: ngày bắt đầu sinh hoạt (%(day)s) trước ngày kết nạp (%(admitted)s).")
                % {"record": who, "day": f"{joined:%d/%m/%Y}", "admitted": f"{member.admitted_on:%d/%m/%Y}"},
            )
        )
    if branch is not None and joined:
        outside = joined < branch.established_on or (
            branch.dissolved_on is not None and (membership.left_on is None or membership.left_on > branch.dissolved_on)
        )
        if outside:
            errors.append(
                (
                    "joined_on" if joined < branch.established_on else "left_on",
                    _("%(record)s: phải sinh hoạt trong thời gian tồn tại của chi bộ %(branch)s (%(period)s).")
                    % {
                        "record": who,
                        "branch": branch.code,
                        "period": _fmt_period(branch.established_on, branch.dissolved_on),
                    },
                )
            )
    if joined:
        for other in siblings:
            if other is membership or other.joined_on is None:
                continue
            if _overlaps(joined, membership.left_on, other.joined_on, other.left_on):
                errors.append(
                    (
                        "joined_on",
                        _("%(record)s: thời gian sinh hoạt trùng với sinh hoạt tại chi bộ %(branch)s (%(period)s).")
                        % {
                            "record": who,
                            "branch": other.branch.code,
                            "period": _fmt_period(other.joined_on, other.left_on),
                        },
                    )
                )
    return errors


def secretary_errors(term, *, branch_terms, member_memberships, today=None):
    """Rule 6: the secretary is an active member of the branch throughout the
    term, and a branch's secretary terms do not overlap."""
    errors = period_errors(term, "start_on", "end_on") + not_future_errors(term, ["start_on"], today)
    if term.start_on is None:
        return errors
    branch_code = term.branch.code
    who = _("Bí thư chi bộ %(branch)s từ %(day)s") % {"branch": branch_code, "day": f"{term.start_on:%d/%m/%Y}"}
    covered = any(
        m.branch.code == branch_code
        for m in member_memberships
        if m.joined_on is not None
        and m.joined_on <= term.start_on
        and (m.left_on is None or (term.end_on is not None and m.left_on >= term.end_on))
    )
    if not covered:
        errors.append(
            (
                "member",
                _("%(record)s: đảng viên %(member)s phải sinh hoạt tại chi bộ này suốt nhiệm kỳ.")
                % {"record": who, "member": term.member.code},
            )
        )
    for other in branch_terms:
        if other is term:
            continue
        if _overlaps(term.start_on, term.end_on, other.start_on, other.end_on):
            errors.append(
                (
                    "start_on",
                    _("%(record)s: trùng với nhiệm kỳ bí thư của %(member)s (%(period)s).")
                    % {"record": who, "member": other.member.code, "period": _fmt_period(other.start_on, other.end_on)},
                )
            )
    return errors


def village_head_errors(head, *, hamlet_terms, today=None):
    """Rule 7: a hamlet's head terms do not overlap; a head is at least 21."""
    errors = period_errors(head, "term_start", "term_end") + not_future_errors(
        head, ["birth_date", "trained_on", "term_start"], today
    )
    if head.birth_date and head.term_start and head.term_start < add_years(head.birth_date, MIN_VILLAGE_HEAD_AGE):
        errors.append(
            (
                "birth_date",
                _("%(record)s: chưa đủ %(age)d tuổi khi bắt đầu nhiệm kỳ (%(day)s).")
                % {"record": label(head), "age": MIN_VILLAGE_HEAD_AGE, "day": f"{head.term_start:%d/%m/%Y}"},
            )
        )
    if head.term_start:
        for other in hamlet_terms:
            if other is head:
                continue
            if _overlaps(head.term_start, head.term_end, other.term_start, other.term_end):
                errors.append(
                    (
                        "term_start",
                        _("%(record)s: nhiệm kỳ trùng với trưởng thôn %(other)s (%(period)s).")
                        % {
                            "record": label(head),
                            "other": other.code,
                            "period": _fmt_period(other.term_start, other.term_end),
                        },
                    )
                )
    return errors


def candidate_errors(candidate, today=None):
    errors = not_future_errors(candidate, ["birth_date", "identified_on", "course_completed_on"], today)
    admitted = candidate.status == "admitted"
    has_member = candidate.member is not None
    if admitted and not has_member:
        errors.append(
            ("member", _("%(record)s: đã kết nạp thì phải gắn với hồ sơ đảng viên.") % {"record": label(candidate)})
        )
    if not admitted and has_member:
        errors.append(
            (
                "member",
                _("%(record)s: chỉ gắn hồ sơ đảng viên khi tình trạng là đã kết nạp.") % {"record": label(candidate)},
            )
        )
    return errors
