"""Data-quality checks: records that are probably wrong or forgotten, found
before a month is signed ("đúng – đủ – sạch – sống").

Each check is a named rule with a plain Vietnamese explanation; it selects
records of one kind as of a day (today) among the records the user's
communes hold. A finding links to the record to fix, or can be marked
"checked, correct" with a reason (reports.models.CheckedFinding, with
history); marked findings no longer count.

Counts per commune are cached under the commune's data version, the day
and the marks (`counts`), so a dashboard does not run the checks on every
view. Two checks also read records outside the commune: a duplicate's twin
may live in another commune, and candidates change no figure; their part of
the cache key is the latest member and candidate history id.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import BigIntegerField, BooleanField, Exists, ExpressionWrapper, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _

from coverage_site.lib.dates import add_years
from coverage_site.lib.lookups import InIds
from coverage_site.lib.text import vietnamese_key
from hamlets.models import Branch, BranchSecretary, Candidate, Hamlet, Member, Membership, VillageHead


def setting(name, default):
    return getattr(settings, name, default)


@dataclass(frozen=True)
class Check:
    key: str
    kind: str  # member | branch | hamlet | candidate | secretary (the record a finding opens)
    title: str
    explanation: str
    # find(scope, day) -> iterable of (record pk, commune pk, detail dict); scope: communes queryset or None (all)
    find: object
    # The same findings without their details, where those cost more than the findings (the counts only need these).
    find_bare: object = None

    def bare(self, scope, day):
        return (self.find_bare or self.find)(scope, day)

    def __str__(self):
        return str(self.title)


# --- the checks --------------------------------------------------------------------------------


# Up to this many ids a scope is a list (under SQLite's 32,766 parameters).
ID_LIST_LIMIT = 20_000
# PostgreSQL takes longer lists: a province of a national installation has
# 25,000 members living nowhere recorded, and the query for a larger scope
# (OR with a subquery) ran for minutes over 5.6 million members.
PG_ID_LIST_LIMIT = 300_000


def id_list_limit():
    from django.db import connection

    return PG_ID_LIST_LIMIT if connection.vendor == "postgresql" else ID_LIST_LIMIT


def _members(scope):
    """Members living in, or attending a branch of, the scope's communes today.

    As the scope's hamlet ids OR the few members attending from elsewhere
    (two index lookups the database ORs together). As one query with OR and
    EXISTS it scanned every member of the province for one commune (0.09 s a
    check); as a list of every member id, a commune's 3,500 ids made each
    check 20-30 ms. The ids are read once per run of the checks (kept on the
    scope queryset: three checks read the same members)."""
    if scope is None:
        return Member.objects.order_by()
    limit = id_list_limit()
    found = getattr(scope, "_quality_member_scope", None)
    if found is None:
        # Unordered: the models' default orderings would sort a province's
        # 150,000 members by code for nothing (0.1 s).
        hamlet_ids = list(Hamlet.objects.filter(commune__in=scope).order_by().values_list("pk", flat=True))
        branch_ids = list(Branch.objects.filter(commune__in=scope).order_by().values_list("pk", flat=True))
        # Two index reads and a difference here: as one query (memberships
        # excluding members living here) PostgreSQL scanned all 5.6 million
        # members of a national installation for a province (1.2 s).
        attending = set(
            Membership.objects.filter(InIds(F("branch_id"), branch_ids), left_on__isnull=True)
            .order_by()
            .values_list("member_id", flat=True)
        )
        attending -= set(
            Member.objects.filter(InIds(F("residence_hamlet_id"), hamlet_ids)).order_by().values_list("pk", flat=True)
        )
        found = (hamlet_ids, sorted(attending)[: limit + 1])
        scope._quality_member_scope = found
    hamlet_ids, elsewhere_ids = found
    if len(hamlet_ids) > limit or len(elsewhere_ids) > limit:
        # A very large scope: one query the database plans as a whole.
        attending = Membership.objects.filter(branch__commune__in=scope, left_on__isnull=True).values("member_id")
        return Member.objects.filter(Q(residence_hamlet__commune__in=scope) | Q(pk__in=attending)).order_by()
    # The ids as arrays (coverage_site/lib/lookups.py): a province's 18,000.
    return Member.objects.filter(
        Q(InIds(F("residence_hamlet_id"), hamlet_ids)) | Q(InIds(F("pk"), elsewhere_ids))
    ).order_by()


def _active_membership(day, **outer):
    return Membership.objects.active_on(day).filter(member_id=OuterRef("pk"), **outer)


def _with_home(members, day):
    """Members with `home`: the commune they live in, else their branch's (counts go there)."""
    branch_commune = _active_membership(day).order_by("-joined_on").values("branch__commune_id")[:1]
    home = Coalesce("residence_hamlet__commune_id", Subquery(branch_commune), output_field=BigIntegerField())
    return members.annotate(home=home)


def find_implausible_age(scope, day):
    """Over 100 today, or admitted before 18 (both usually a typing error in a date)."""
    oldest = add_years(day, -(setting("QUALITY_MAX_AGE", 100) + 1))
    # One pass over the scope's members for both (a province's 165,000: two
    # queries read them twice, the "old" one through a whole index).
    old = ExpressionWrapper(Q(birth_date__lte=oldest) & Exists(_active_membership(day)), BooleanField())
    rows = (
        _with_home(_members(scope), day)
        .annotate(gap=ExtractYear("admitted_on") - ExtractYear("birth_date"), old=old)
        .filter(Q(old=True) | Q(gap__lte=18))
        .values("pk", "home", "birth_date", "admitted_on", "old")
    )
    for row in rows:
        if row["old"]:
            yield row["pk"], row["home"], {"born": row["birth_date"]}
        elif row["birth_date"] > oldest and row["admitted_on"] < add_years(row["birth_date"], 18):
            yield row["pk"], row["home"], {"born": row["birth_date"], "admitted": row["admitted_on"]}


def find_overdue_probation(scope, day):
    """Still probationary 12 months after admission, plus a grace period."""
    grace = datetime.timedelta(days=setting("QUALITY_PROBATION_GRACE_DAYS", 30))
    latest = add_years(day - grace, -1)
    rows = (
        _with_home(_members(scope), day)
        .filter(official_on__isnull=True, admitted_on__lt=latest)
        .filter(Exists(_active_membership(day)))
        .values("pk", "home", "admitted_on")
    )
    for row in rows:
        yield row["pk"], row["home"], {"admitted": row["admitted_on"]}


def _branches(scope, day):
    branches = Branch.objects.active_on(day)
    return branches if scope is None else branches.held_by(scope)


def find_branch_without_secretary(scope, day):
    """Members, no secretary, and none for over 90 days (or since the branch was founded)."""
    limit = day - datetime.timedelta(days=setting("QUALITY_SECRETARY_GAP_DAYS", 90))
    members = Membership.objects.active_on(day).filter(branch_id=OuterRef("pk"))
    secretary = BranchSecretary.objects.active_on(day).filter(branch_id=OuterRef("pk"))
    rows = (
        _branches(scope, day)
        .filter(Exists(members))
        .exclude(Exists(secretary))
        .annotate(last_end=Max("secretary_terms__end_on"))
        .filter(Q(last_end__lte=limit) | Q(last_end__isnull=True, established_on__lte=limit))
        .values("pk", "commune_id", "last_end")
    )
    for row in rows:
        yield row["pk"], row["commune_id"], {"since": row["last_end"]}


def find_secretary_not_member(scope, day):
    """A secretary in office who is not an active member of the branch."""
    terms = BranchSecretary.objects.active_on(day)
    if scope is not None:
        terms = terms.held_by(scope)
    attends = Membership.objects.active_on(day).filter(member_id=OuterRef("member_id"), branch_id=OuterRef("branch_id"))
    for row in terms.exclude(Exists(attends)).values("pk", "branch__commune_id"):
        yield row["pk"], row["branch__commune_id"], {}


def _hamlets(scope, day):
    hamlets = Hamlet.objects.active_on(day)
    return hamlets if scope is None else hamlets.held_by(scope)


def find_head_without_successor(scope, day):
    """The last village head's term has ended and nobody followed."""
    current = VillageHead.objects.active_on(day).filter(hamlet_id=OuterRef("pk"))
    later = VillageHead.objects.filter(hamlet_id=OuterRef("pk"), term_start__gt=day)
    rows = (
        _hamlets(scope, day)
        .annotate(last_end=Max("head_terms__term_end"))
        .filter(last_end__isnull=False)
        .exclude(Exists(current))
        .exclude(Exists(later))
        .values("pk", "commune_id", "last_end")
    )
    for row in rows:
        yield row["pk"], row["commune_id"], {"since": row["last_end"]}


def find_hamlet_without_head(scope, day):
    """No village head was ever recorded."""
    any_head = VillageHead.objects.filter(hamlet_id=OuterRef("pk"))
    for row in _hamlets(scope, day).exclude(Exists(any_head)).values("pk", "commune_id"):
        yield row["pk"], row["commune_id"], {}


def find_home_outside_branch_commune(scope, day):
    """Lives in another commune than the branch's, without being a reinforcing
    member. Counted in the branch's commune, whose clerk keeps the membership."""
    rows = Membership.objects.active_on(day).filter(reinforcing=False, member__residence_hamlet__isnull=False)
    if scope is not None:
        rows = rows.filter(branch__commune__in=scope)
    rows = rows.exclude(member__residence_hamlet__commune_id=F("branch__commune_id")).order_by()
    for row in rows.values("member_id", "branch__commune_id", "branch__commune__name"):
        yield row["member_id"], row["branch__commune_id"], {"branch_commune": row["branch__commune__name"]}


def _duplicate_rows(scope, day):
    twin = Member.objects.filter(name_folded=OuterRef("name_folded"), birth_date=OuterRef("birth_date")).exclude(
        pk=OuterRef("pk")
    )
    fields = ("pk", "home", "name_folded", "birth_date")
    return list(_with_home(_members(scope), day).filter(Exists(twin)).values(*fields))


def count_possible_duplicates(scope, day):
    """find_possible_duplicates without naming the others (what the counts need)."""
    for row in _duplicate_rows(scope, day):
        yield row["pk"], row["home"], {}


def find_possible_duplicates(scope, day):
    """Another member has the same name (ignoring diacritics) and birth date."""
    rows = _duplicate_rows(scope, day)
    twins = {}
    pks = [row["pk"] for row in rows]
    for start in range(0, len(pks), ID_LIST_LIMIT):
        # The members sharing a found member's exact (name, birth date): an IN
        # of names and an IN of dates would match their every combination
        # (most of a country's members).
        same = Member.objects.filter(
            pk__in=pks[start : start + ID_LIST_LIMIT],
            name_folded=OuterRef("name_folded"),
            birth_date=OuterRef("birth_date"),
        )
        for pk, code, name, born in Member.objects.filter(Exists(same)).values_list(
            "pk", "code", "name_folded", "birth_date"
        ):
            twins.setdefault((name, born), set()).add((pk, code))
    for row in rows:
        others = [code for pk, code in twins.get((row["name_folded"], row["birth_date"]), []) if pk != row["pk"]]
        yield row["pk"], row["home"], {"others": ", ".join(sorted(others))}


def find_admitted_candidate_without_membership(scope, day):
    """Marked admitted, but the member record has no party activity (no membership)."""
    candidates = Candidate.objects.filter(status=Candidate.Status.ADMITTED)
    if scope is not None:
        candidates = candidates.held_by(scope)
    any_membership = Membership.objects.filter(member_id=OuterRef("member_id"))
    for row in candidates.exclude(Exists(any_membership)).values("pk", "hamlet__commune_id", "member__code"):
        yield row["pk"], row["hamlet__commune_id"], {"member": row["member__code"]}


def _changed_after(model, day, **filters):
    """History rows of `model` written after `day` (from the next midnight, local time)."""
    from django.utils import timezone

    since = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))
    return model.history.model.objects.filter(history_date__gte=since, **filters)


def find_untouched_branch(scope, day):
    """Nothing about the branch (its record, members' activity, secretaries)
    changed for over a year, while its commune's data changed in the last month."""
    year_ago = day - datetime.timedelta(days=setting("QUALITY_UNTOUCHED_DAYS", 365))
    month_ago = day - datetime.timedelta(days=31)
    branches = _branches(scope, day)
    # Busy communes: a branch of theirs or its memberships changed in the last
    # month (looked up per branch through the history's indexes).
    changed = Exists(_changed_after(Branch, month_ago, id=OuterRef("pk"))) | Exists(
        _changed_after(Membership, month_ago, branch_id=OuterRef("pk"))
    )
    busy = set(branches.filter(changed).values_list("commune_id", flat=True).distinct())
    if not busy:
        return
    rows = (
        branches.filter(commune_id__in=busy, established_on__lte=year_ago)
        .exclude(Exists(_changed_after(Branch, year_ago, id=OuterRef("pk"))))
        .exclude(Exists(_changed_after(Membership, year_ago, branch_id=OuterRef("pk"))))
        .exclude(Exists(_changed_after(BranchSecretary, year_ago, branch_id=OuterRef("pk"))))
        .values("pk", "commune_id")
    )
    for row in rows:
        yield row["pk"], row["commune_id"], {}


CHECKS = [
    Check(
        "implausible_age",
        "member",
        _("Tuổi không hợp lý"),
        _(
            "Đảng viên trên 100 tuổi hoặc được kết nạp khi chưa đủ 18 tuổi: "
            "thường do gõ nhầm ngày sinh hoặc ngày kết nạp."
        ),
        find_implausible_age,
    ),
    Check(
        "overdue_probation",
        "member",
        _("Quá hạn công nhận chính thức"),
        _(
            "Đảng viên dự bị đã quá 12 tháng (và thời gian chờ) kể từ ngày kết nạp "
            "mà chưa có ngày công nhận chính thức."
        ),
        find_overdue_probation,
    ),
    Check(
        "branch_without_secretary",
        "branch",
        _("Chi bộ thiếu bí thư lâu ngày"),
        _("Chi bộ có đảng viên nhưng không có bí thư đã hơn 90 ngày."),
        find_branch_without_secretary,
    ),
    Check(
        "secretary_not_member",
        "secretary",
        _("Bí thư không sinh hoạt tại chi bộ"),
        _("Bí thư đang trong nhiệm kỳ nhưng không còn là đảng viên sinh hoạt tại chi bộ đó."),
        find_secretary_not_member,
    ),
    Check(
        "head_without_successor",
        "hamlet",
        _("Trưởng thôn hết nhiệm kỳ, chưa có người thay"),
        _("Nhiệm kỳ trưởng thôn gần nhất đã kết thúc và chưa ghi nhận trưởng thôn mới."),
        find_head_without_successor,
    ),
    Check(
        "hamlet_without_head",
        "hamlet",
        _("Thôn chưa có trưởng thôn"),
        _("Thôn, xóm chưa từng được ghi nhận trưởng thôn."),
        find_hamlet_without_head,
    ),
    Check(
        "home_outside_branch_commune",
        "member",
        _("Cư trú ở xã khác với chi bộ"),
        _("Đảng viên sinh hoạt ở chi bộ của xã khác với xã nơi cư trú mà không phải đảng viên tăng cường."),
        find_home_outside_branch_commune,
    ),
    Check(
        "possible_duplicate",
        "member",
        _("Có thể trùng người"),
        _("Hai hồ sơ đảng viên cùng họ tên (không kể dấu) và cùng ngày sinh, ở cùng hoặc khác xã."),
        find_possible_duplicates,
        count_possible_duplicates,
    ),
    Check(
        "admitted_candidate_without_membership",
        "candidate",
        _("Quần chúng đã kết nạp nhưng chưa có sinh hoạt đảng"),
        _("Quần chúng ưu tú ghi “đã kết nạp” nhưng hồ sơ đảng viên chưa có quá trình sinh hoạt tại chi bộ nào."),
        find_admitted_candidate_without_membership,
    ),
    Check(
        "untouched_branch",
        "branch",
        _("Chi bộ không cập nhật hơn một năm"),
        _(
            "Hơn một năm không có thay đổi nào về chi bộ, đảng viên sinh hoạt hay bí thư, "
            "trong khi xã vẫn cập nhật dữ liệu hằng tháng."
        ),
        find_untouched_branch,
    ),
]
CHECK_BY_KEY = {check.key: check for check in CHECKS}


# --- findings and counts -----------------------------------------------------------------------


@dataclass
class Finding:
    check: Check
    pk: int
    commune_id: int | None
    detail: dict
    code: str = ""
    name: str = ""
    commune_name: str = ""
    url: str = ""
    checked: object = None  # the CheckedFinding, when marked

    @property
    def description(self):
        return describe(self.check.key, self.detail)


def describe(key, detail):
    """What a finding's detail says, in words (the active language)."""
    from django.utils.translation import gettext

    def day(value):
        return f"{value:%d/%m/%Y}" if value else ""

    if key == "implausible_age":
        if "admitted" in detail:
            return gettext("sinh %(born)s, kết nạp %(admitted)s") % {
                "born": day(detail["born"]),
                "admitted": day(detail["admitted"]),
            }
        return gettext("sinh %(born)s") % {"born": day(detail["born"])}
    if key == "overdue_probation":
        return gettext("kết nạp %(day)s, chưa công nhận chính thức") % {"day": day(detail["admitted"])}
    if key in ("branch_without_secretary", "head_without_successor"):
        if detail.get("since"):
            return gettext("nhiệm kỳ trước kết thúc %(day)s") % {"day": day(detail["since"])}
        return gettext("chưa từng có bí thư")
    if key == "home_outside_branch_commune":
        return gettext("sinh hoạt tại chi bộ của %(commune)s") % {"commune": detail["branch_commune"]}
    if key == "possible_duplicate":
        return gettext("trùng với %(codes)s") % {"codes": detail["others"]}
    if key == "admitted_candidate_without_membership":
        return gettext("hồ sơ đảng viên %(code)s") % {"code": detail["member"]}
    return ""


def _labels(kind, pks):
    """{pk: (code, name, commune name, url)} of the records findings point at."""
    from django.urls import reverse

    pks = list(pks)
    if kind == "member":
        rows = Member.objects.filter(pk__in=pks).values_list(
            "pk", "code", "full_name", "residence_hamlet__commune__name"
        )
        return {
            pk: (code, name, commune or "", reverse("hamlets:member_detail", args=[code]))
            for pk, code, name, commune in rows
        }
    if kind in ("branch", "hamlet"):
        model = Branch if kind == "branch" else Hamlet
        rows = model.objects.filter(pk__in=pks).values_list("pk", "code", "name", "commune__name")
        return {
            pk: (code, name, commune, reverse(f"hamlets:{kind}_detail", args=[code]))
            for pk, code, name, commune in rows
        }
    if kind == "secretary":
        rows = BranchSecretary.objects.filter(pk__in=pks).values_list(
            "pk", "branch__code", "member__full_name", "branch__name", "branch__commune__name"
        )
        return {
            pk: (code, f"{person} – {branch}", commune, reverse("hamlets:branch_detail", args=[code]))
            for pk, code, person, branch, commune in rows
        }
    rows = Candidate.objects.filter(pk__in=pks).values_list("pk", "code", "full_name", "hamlet__commune__name")
    url = reverse("hamlets:candidate_list")
    return {pk: (code, name, commune, f"{url}?q={code}") for pk, code, name, commune in rows}


def findings(scope, day, check):
    """(open findings, checked findings) of one check in the scope, labelled, by commune and name."""
    from .models import CheckedFinding

    found = {pk: (commune, detail) for pk, commune, detail in check.find(scope, day)}
    labels = _labels(check.kind, found)
    marks = {
        mark.record_pk: mark
        for mark in CheckedFinding.objects.filter(rule=check.key, record_pk__in=list(found)).select_related(
            "checked_by"
        )
    }
    items = []
    for pk, (commune, detail) in found.items():
        code, name, commune_name, url = labels.get(pk, ("", "", "", ""))
        items.append(Finding(check, pk, commune, detail, code, name, commune_name, url, marks.get(pk)))
    items.sort(key=lambda f: (vietnamese_key(f.commune_name), vietnamese_key(f.name), f.code))
    return [f for f in items if f.checked is None], [f for f in items if f.checked is not None]


def _prefix():
    """Part of the counts' cache keys: the code and the checks' settings they were made with."""
    import hashlib

    from .indicators.by_commune import FIGURES_HASH

    settings_text = repr(
        [
            setting(name, None)
            for name in (
                "QUALITY_MAX_AGE",
                "QUALITY_PROBATION_GRACE_DAYS",
                "QUALITY_SECRETARY_GAP_DAYS",
                "QUALITY_UNTOUCHED_DAYS",
            )
        ]
    )
    return hashlib.sha256(f"{FIGURES_HASH}{settings_text}".encode()).hexdigest()[:10]


def counts_by_commune(commune_pks, day, at_most=None):
    """{commune pk: {check key: open findings}} for these communes, each
    commune's counts cached under its data version (reports/versions.py
    bumps it for every record a check reads, a twin's and a mark included).
    `at_most`: None instead when more communes than that must be counted."""
    from django.core.cache import cache

    from hamlets.models import Commune

    from .indicators.by_commune import TIMEOUT
    from .models import CheckedFinding
    from .versions import versions

    commune_pks = list(commune_pks)
    found_versions = versions(commune_pks)
    keys = {pk: f"quality:{_prefix()}:{day:%Y%m%d}:{pk}:{found_versions[pk]}" for pk in commune_pks}
    cached = cache.get_many(list(keys.values()))
    result = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in commune_pks if pk not in result]
    if at_most is not None and len(missing) > at_most:
        return None
    if missing:
        # Most communes (a cold installation): no scope filter for the database
        # to evaluate, one pass over the tables; the others' findings are dropped.
        everything = len(missing) * 2 >= Commune.objects.count()
        scope = None if everything else Commune.objects.filter(pk__in=missing)
        fresh = {pk: {} for pk in missing}
        marked = set(CheckedFinding.objects.filter(commune_id__in=missing).values_list("rule", "record_pk"))
        for check in CHECKS:
            for pk, commune, _detail in check.bare(scope, day):
                if commune in fresh and (check.key, pk) not in marked:
                    fresh[commune][check.key] = fresh[commune].get(check.key, 0) + 1
        cache.set_many({keys[pk]: counts for pk, counts in fresh.items()}, TIMEOUT)
        result.update(fresh)
    return result


def totals(commune_pks, day, at_most=None):
    """{check key: open findings} over these communes, every check listed
    (None when more than `at_most` communes must be counted)."""
    by_commune = counts_by_commune(commune_pks, day, at_most)
    if by_commune is None:
        return None
    total = {check.key: 0 for check in CHECKS}
    for counts in by_commune.values():
        for key, count in counts.items():
            total[key] += count
    return total


def _open_count_key(unit, day):
    """(the unit's commune pks on `day`, the cache key of their open findings' total)."""
    from .indicators import unit_communes
    from .indicators.unit_sums import versions_fingerprint
    from .versions import versions

    pks = sorted(unit_communes(unit, day).values_list("pk", flat=True))
    # A national dashboard's count sums 3,321 communes' cached counts: the sum
    # is kept too, under the versions of the communes it adds up.
    return pks, f"qualitytotal:{_prefix()}:{day:%Y%m%d}:{versions_fingerprint(pks, versions(pks))}"


def open_count(unit, day=None, at_most=None):
    """How many findings of a reports Unit are open on `day` (today): the
    dashboard's and the monthly summary's "N điểm cần kiểm tra". `at_most`:
    None instead when more than that many communes' counts are not kept
    (a province after the cache was emptied: seconds of checks)."""
    from django.core.cache import cache

    from coverage_site.lib.dates import today

    from .indicators.by_commune import TIMEOUT

    day = day or today()
    pks, key = _open_count_key(unit, day)
    count = cache.get(key)
    if count is None:
        found = totals(pks, day, at_most)
        if found is None:
            return None
        count = sum(found.values())
        cache.set(key, count, TIMEOUT)
    return count
