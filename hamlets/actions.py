"""The writes that touch several records: the life of a member, of a branch,
of a hamlet's head. Each is one transaction: every record is checked by the
rules (full_clean -> hamlets/rules.py) before it is saved, and any error
rolls the whole action back, so nothing is half-saved.

Errors are ValidationErrors keyed by the *form* field they concern.

Two clicks at once: a rule that looks across rows (terms of a hamlet must
not overlap) is only as good as the rows it saw. Each action therefore first
locks the parent whose rows the rule reads (the hamlet for its heads, the
branch for its secretaries and members, the member for their memberships),
always in that order (hamlet, branch, member), as the importer does. On
PostgreSQL that is SELECT ... FOR UPDATE; on SQLite every transaction takes
the write lock when it begins (settings: transaction_mode IMMEDIATE). The
database constraints stay the last guard: if one still fires (two admissions
with one new code), the action runs once more, and the second run meets the
committed row and answers with the rule's own message.
"""

import functools

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Branch, BranchSecretary, Candidate, Member, Membership, VillageHead


def concurrent_change_message():
    return _("Dữ liệu vừa được người khác thay đổi cùng lúc: không có gì được ghi. Hãy xem lại và thử lại.")


class ConcurrentChange(ValidationError):
    """A database constraint refused the write: another request changed the
    same records at the same moment. Nothing was written; checked again, the
    request will meet the committed rows (hamlets.views.action_pages.run_action does)."""

    def __init__(self):
        super().__init__(concurrent_change_message(), code="concurrent_change")


def action(func):
    """One transaction; an IntegrityError becomes ConcurrentChange. Nested
    calls join the outer transaction."""
    atomic = transaction.atomic(func)

    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            return atomic(*args, **kwargs)
        except IntegrityError:
            raise ConcurrentChange() from None

    return run


# The parents whose rows a rule on a record reads across (hamlets/rules.py:
# terms of a hamlet, of a branch, memberships of a member), in locking order.
RULE_PARENTS = {
    VillageHead: ("hamlet",),
    BranchSecretary: ("branch", "member"),
    Membership: ("branch", "member"),
}


def lock_parents_of(record):
    lock(*[getattr(record, name) for name in RULE_PARENTS.get(type(record), ())])


def lock(*records):
    """Lock the rows of these parents until the transaction ends (PostgreSQL;
    SQLite's transactions are already exclusive). Call in the documented
    order: hamlets, then branches, then members."""
    for record in records:
        if record is not None and record.pk is not None:
            list(type(record).objects.select_for_update().filter(pk=record.pk).values_list("pk"))


def _save(record, field_map=None):
    """full_clean() then save(); rename error keys to the form's fields."""
    try:
        record.full_clean()
    except ValidationError as exc:
        if field_map and hasattr(exc, "error_dict"):
            raise ValidationError({field_map.get(key, key): errors for key, errors in exc.error_dict.items()}) from None
        raise
    record.save()
    return record


def active_membership(member, day):
    return Membership.objects.active_on(day).filter(member=member).select_related("branch").first()


def _end_open_secretary_terms(member, branch, on):
    """End the member's open secretary term in the branch on `on`. A term
    that began on `on` (or later) cannot end then: the period rule refuses,
    rather than leave a secretary who is no longer a member of the branch."""
    for term in BranchSecretary.objects.filter(member=member, branch=branch, end_on__isnull=True):
        term.end_on = on
        _save(term)


@action
def member_admit(
    *,
    code,
    full_name,
    gender,
    birth_date,
    admitted_on,
    branch,
    residence_hamlet=None,
    ethnicity="",
    religion="",
    reinforcing=False,
    candidate=None,
):
    """Admit a member (optionally from a candidate): the member record and
    the first membership, in `branch` from the admission date."""
    lock(branch, candidate)
    if candidate is not None and Candidate.objects.filter(pk=candidate.pk, status=Candidate.Status.ADMITTED).exists():
        raise ValidationError({"candidate": _("Quần chúng này đã được kết nạp.")})
    member = _save(
        Member(
            code=code,
            full_name=full_name,
            gender=gender,
            birth_date=birth_date,
            admitted_on=admitted_on,
            residence_hamlet=residence_hamlet,
            ethnicity=ethnicity,
            religion=religion,
        )
    )
    _save(
        Membership(member=member, branch=branch, joined_on=admitted_on, reinforcing=reinforcing),
        {"joined_on": "admitted_on"},
    )
    if candidate is not None:
        candidate.status = Candidate.Status.ADMITTED
        candidate.member = member
        _save(candidate, {"member": "candidate"})
    return member


@action
def member_recognise(*, member, official_on):
    """Recognise a probationary member as a full member."""
    lock(member)
    member.official_on = official_on
    return _save(member)


@action
def member_record_training(*, member, trained_on):
    lock(member)
    member.trained_on = trained_on
    return _save(member)


@action
def member_transfer(*, member, to_branch, on, reinforcing=False):
    """End the active membership on `on` (transferred) and start one in
    `to_branch` on the same day; a secretary term in the old branch ends too."""
    lock(to_branch, member)
    current = active_membership(member, on)
    if current is None:
        raise ValidationError({"on": _("Đảng viên không sinh hoạt ở chi bộ nào vào ngày này.")})
    if current.branch_id == to_branch.pk:
        raise ValidationError({"to_branch": _("Đảng viên đang sinh hoạt ở chi bộ này.")})
    if current.joined_on == on:
        raise ValidationError({"on": _("Ngày chuyển phải sau ngày bắt đầu sinh hoạt ở chi bộ hiện tại.")})
    _end_open_secretary_terms(member, current.branch, on)
    current.left_on, current.left_reason = on, Membership.LeftReason.TRANSFERRED
    _save(current, {"left_on": "on"})
    return _save(
        Membership(member=member, branch=to_branch, joined_on=on, reinforcing=reinforcing),
        {"joined_on": "on", "branch": "to_branch"},
    )


@action
def member_leave(*, member, on, reason):
    """End the active membership with a reason (deceased, removed, expelled, other)."""
    lock(member)
    current = active_membership(member, on)
    if current is None:
        raise ValidationError({"on": _("Đảng viên không sinh hoạt ở chi bộ nào vào ngày này.")})
    _end_open_secretary_terms(member, current.branch, on)
    current.left_on, current.left_reason = on, reason
    return _save(current, {"left_on": "on", "left_reason": "reason"})


@action
def branch_appoint_secretary(*, branch, member, start_on):
    """Appoint a secretary; the current one's open term ends that day."""
    lock(branch, member)
    for term in BranchSecretary.objects.filter(branch=branch, end_on__isnull=True, start_on__lt=start_on):
        term.end_on = start_on
        _save(term, {"end_on": "start_on"})
    return _save(BranchSecretary(branch=branch, member=member, start_on=start_on))


@action
def branch_found(*, code, name, commune, hamlets, established_on):
    from .models import hamlet_choices_error

    lock(*hamlets)
    branch = Branch(code=code, name=name, commune=commune, established_on=established_on)
    hamlet_choices_error(branch, list(hamlets))
    _save(branch)
    branch.hamlets.set(hamlets)
    return branch


@action
def branch_dissolve(*, branch, on):
    """Dissolve a branch. Its members must have been transferred or have left."""
    lock(branch)
    still = Membership.objects.filter(branch=branch).exclude(left_on__isnull=False, left_on__lte=on).count()
    if still:
        raise ValidationError(
            {
                "on": _("Chi bộ còn %(count)d đảng viên sinh hoạt sau ngày này: hãy chuyển sinh hoạt cho họ trước.")
                % {"count": still}
            }
        )
    for term in BranchSecretary.objects.filter(branch=branch, end_on__isnull=True):
        term.end_on = on
        _save(term, {"end_on": "on"})
    branch.dissolved_on = on
    return _save(branch, {"dissolved_on": "on"})


@action
def branch_change_hamlets(*, branch, hamlets, on, new_code, new_name):
    """A change of the hamlets a branch serves is recorded as dissolving it
    and founding a new one (domain.md): members and secretary move across."""
    from .models import hamlet_choices_error

    lock(*hamlets, branch)
    new = Branch(code=new_code, name=new_name, commune=branch.commune, established_on=on)
    hamlet_choices_error(new, list(hamlets))
    _save(new, {"code": "new_code", "name": "new_name", "established_on": "on"})
    new.hamlets.set(hamlets)
    moving = list(Membership.objects.active_on(on).filter(branch=branch).select_related("member"))
    secretary = BranchSecretary.objects.active_on(on).filter(branch=branch).first()
    for membership in moving:
        _end_open_secretary_terms(membership.member, branch, on)
        membership.left_on, membership.left_reason = on, Membership.LeftReason.TRANSFERRED
        _save(membership, {"left_on": "on"})
        _save(
            Membership(member=membership.member, branch=new, joined_on=on, reinforcing=membership.reinforcing),
            {"joined_on": "on"},
        )
    branch_dissolve(branch=branch, on=on)
    if secretary is not None:
        _save(BranchSecretary(branch=new, member=secretary.member, start_on=on))
    return new


@action
def hamlet_appoint_head(
    *, hamlet, code, full_name, term_start, gender="", birth_date=None, member=None, trained_on=None, term_end=None
):
    """Appoint a village head; the current head's open term ends that day."""
    lock(hamlet)
    for head in VillageHead.objects.filter(hamlet=hamlet, term_end__isnull=True, term_start__lt=term_start):
        head.term_end = term_start
        _save(head, {"term_end": "term_start"})
    return _save(
        VillageHead(
            hamlet=hamlet,
            code=code,
            full_name=full_name,
            gender=gender,
            birth_date=birth_date,
            member=member,
            trained_on=trained_on,
            term_start=term_start,
            term_end=term_end,
        )
    )


@action
def head_end_term(*, head, term_end):
    lock(head.hamlet)
    head.term_end = term_end
    return _save(head)
