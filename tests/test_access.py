"""Every URL refuses whoever may not use it: anonymous users go to the login
page, staff of another district get 404 for records of D1, read-only roles
get 403 for writes. The walk covers every named URL of the application, so a
new page without an entry here fails the test."""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hamlets.models import AdmissionTarget, BranchRating, BranchSecretary, Job, Member, Membership, Upload

pytestmark = pytest.mark.django_db


# name -> (kind, kwargs builder); kinds: "list" (visible to all logged-in users,
# filtered by scope), "record" (a D1 record page), "write" (a D1 record change),
# "create" (a new record), "admin" (administrators only), "api", "public", "account",
# "province" (the whole province's files: provincial roles only), "own" (a user's own job, nobody else's).
def _target():
    return {"pk": AdmissionTarget.objects.get(commune__code="C1", year=2016).pk}


def _event():
    """A planned reorganisation (renaming H1), for the administrators' pages."""
    from hamlets.models import Reorganisation

    Reorganisation.objects.get_or_create(
        code="R1",
        defaults={
            "kind": "rename",
            "level": "hamlet",
            "effective_on": datetime.date(2019, 1, 1),
            "act_number": "1/NQ",
            "act_date": datetime.date(2019, 1, 1),
            "act_issuer": "HĐND",
            "content": {"from": ["H1"], "name": "Xóm Mới"},
        },
    )
    return "R1"


def _rating():
    return {"pk": BranchRating.objects.get(branch__code="B1", year=2015).pk}


URLS = {
    "home": ("list", dict),
    "login": ("public", dict),
    "logout": ("public", dict),  # POST only; logging out is harmless
    "password_change": ("account", dict),
    "password_change_done": ("account", dict),
    "set_language": ("public", dict),
    # Signed per address (tests/test_reminders.py): no login, since leaders may have no account.
    "reports:email_stop": ("public", lambda: {"token": "unsigned"}),
    "hamlets:commune_list": ("list", dict),
    "hamlets:hamlet_list": ("list", dict),
    "hamlets:branch_list": ("list", dict),
    "hamlets:member_list": ("list", dict),
    "hamlets:villagehead_list": ("list", dict),
    "hamlets:candidate_list": ("list", dict),
    "hamlets:admissiontarget_list": ("list", dict),
    "hamlets:branchrating_list": ("list", dict),
    "hamlets:hamlet_detail": ("record", lambda: {"code": "H1"}),
    "hamlets:branch_detail": ("record", lambda: {"code": "B1"}),
    "hamlets:member_detail": ("record", lambda: {"code": "M1"}),
    "hamlets:record_history": ("record", lambda: {"kind": "member", "pk": Member.objects.get(code="M1").pk}),
    "hamlets:hamlet_edit": ("write", lambda: {"code": "H1"}),
    "hamlets:hamlet_head": ("write", lambda: {"code": "H1"}),
    "hamlets:branch_edit": ("write", lambda: {"code": "B1"}),
    "hamlets:branch_secretary": ("write", lambda: {"code": "B1"}),
    "hamlets:branch_hamlets": ("write", lambda: {"code": "B1"}),
    "hamlets:branch_dissolve": ("write", lambda: {"code": "B1"}),
    "hamlets:member_edit": ("write", lambda: {"code": "M1"}),
    "hamlets:member_recognise": ("write", lambda: {"code": "M1"}),
    "hamlets:member_transfer": ("write", lambda: {"code": "M1"}),
    "hamlets:member_leave": ("write", lambda: {"code": "M1"}),
    "hamlets:member_training": ("write", lambda: {"code": "M1"}),
    "hamlets:villagehead_edit": ("write", lambda: {"code": "VH2"}),
    "hamlets:head_end": ("write", lambda: {"code": "VH2"}),
    "hamlets:candidate_edit": ("write", lambda: {"code": "Q2"}),
    "hamlets:admissiontarget_edit": ("write", _target),
    "hamlets:branchrating_edit": ("write", _rating),
    "hamlets:hamlet_create": ("create", dict),
    "hamlets:branch_found": ("create", dict),
    "hamlets:member_admit": ("create", dict),
    "hamlets:candidate_create": ("create", dict),
    "hamlets:admissiontarget_create": ("create", dict),
    "hamlets:branchrating_create": ("create", dict),
    "hamlets:upload": ("create", dict),
    "hamlets:upload_template": ("create", dict),
    "hamlets:upload_preview": ("write", lambda: {"token": Upload.objects.get().token}),
    "hamlets:job_list": ("list", dict),
    "hamlets:job_detail": ("own", lambda: {"token": "job-1"}),
    "hamlets:job_status": ("own", lambda: {"token": "job-1"}),
    "hamlets:job_file": ("own", lambda: {"token": "job-1"}),
    "hamlets:change_log": ("admin", dict),
    "hamlets:reorganisation_list": ("admin", dict),
    "hamlets:reorganisation_create": ("admin", dict),
    "hamlets:reorganisation_detail": ("admin", lambda: {"code": _event()}),
    "hamlets:reorganisation_edit": ("admin", lambda: {"code": _event()}),
    "hamlets:reorganisation_apply": ("admin", lambda: {"code": _event()}),
    "hamlets:reorganisation_undo": ("admin", lambda: {"code": _event()}),
    "hamlets:membership_correct": ("write", lambda: {"pk": Membership.objects.get(member__code="M1").pk}),
    "hamlets:secretary_correct": ("write", lambda: {"pk": BranchSecretary.objects.get(member__code="M2").pk}),
    "hamlets:head_term_correct": ("write", lambda: {"code": "VH2"}),
    "reports:indicators_api": ("api", dict),
    "reports:dashboard_home": ("list", dict),
    "reports:goals_home": ("list", dict),
    "reports:quality_home": ("list", dict),
    "reports:quality": ("record", lambda: {"kind": "district", "code": "D1"}),
    "reports:quality_mark": ("write", lambda: {"kind": "district", "code": "D1"}),
    "reports:goals": ("record", lambda: {"kind": "district", "code": "D1"}),
    "reports:summary_list": ("list", dict),
    "reports:summary_province_export": ("province", lambda: {"month": "2016-11", "export_format": "xlsx"}),
    "reports:summary_detail": ("record", lambda: {"kind": "district", "code": "D1", "month": "2016-11"}),
    "reports:summary_export": (
        "record",
        lambda: {"kind": "district", "code": "D1", "month": "2016-11", "export_format": "csv"},
    ),
    # Exists only once the month is approved; a scope check comes first in any case.
    "reports:summary_changes": ("record-approved", lambda: {"kind": "district", "code": "D1", "month": "2016-11"}),
    "reports:dashboard": ("record", lambda: {"kind": "district", "code": "D1"}),
    "reports:trend": ("record", lambda: {"kind": "district", "code": "D1"}),
    "reports:findings_open": ("record", lambda: {"kind": "district", "code": "D1"}),
    "reports:drill_down": ("record", lambda: {"kind": "district", "code": "D1", "key": "hamlets_without_branch"}),
}


def named_patterns(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin, guarded by is_staff
            prefix = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_patterns(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_url_of_the_application_is_listed_here():
    assert set(named_patterns()) - set(URLS) == set()


@pytest.fixture
def upload_of_staff(cast):
    Job.objects.create(
        token="job-1",
        user=cast["staff"],
        kind=Job.EXPORT_LIST,
        label="member.csv",
        dedupe_key="export:/members/?_export=csv",
        state=Job.DONE,
        result={"ok": True, "rows": 3},
        output=b"code\nM1\n",
        output_name="member.csv",
        output_type="text/csv",
    )
    return Upload.objects.create(token="tok-1", user=cast["staff"], filename="x.csv", content=b"code,name\n")


@pytest.mark.parametrize("name", sorted(n for n, (k, _b) in URLS.items() if k == "own"))
def test_a_job_is_its_owners_only(client, cast, upload_of_staff, name):
    _kind, url = url_for(name)
    client.force_login(cast["staff"])
    assert client.get(url).status_code == 200
    for other in ("other_staff", "commune_staff", "viewer", "admin"):
        client.force_login(cast[other])
        assert client.get(url).status_code == 404, other


def url_for(name):
    kind, kwargs = URLS[name]
    return kind, reverse(name, kwargs=kwargs())


@pytest.mark.parametrize("name", sorted(URLS))
def test_anonymous_users_are_sent_to_the_login_page(client, cast, upload_of_staff, name):
    kind, url = url_for(name)
    if kind == "public":
        return
    response = client.get(url)
    if kind == "api":
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "name", sorted(n for n, (k, _b) in URLS.items() if k in ("record", "record-approved", "write"))
)
def test_staff_of_another_district_get_404(client, cast, upload_of_staff, name):
    _kind, url = url_for(name)
    client.force_login(cast["other_staff"])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize(
    "name", sorted(n for n, (k, _b) in URLS.items() if k in ("record", "record-approved", "write"))
)
def test_a_commune_account_sees_only_its_commune(client, cast, upload_of_staff, name):
    _kind, url = url_for(name)
    client.force_login(cast["commune_staff"])  # commune C2; the records are in C1
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", sorted(n for n, (k, _b) in URLS.items() if k in ("write", "create", "admin")))
@pytest.mark.parametrize("role", ["viewer", "approver"])
def test_read_only_roles_cannot_write(client, cast, upload_of_staff, name, role):
    _kind, url = url_for(name)
    client.force_login(cast[role])
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize("name", sorted(n for n, (k, _b) in URLS.items() if k == "list"))
def test_lists_show_only_the_users_scope(client, cast, name):
    _kind, url = url_for(name)
    client.force_login(cast["other_staff"])
    response = client.get(url + "?active_on=", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    for outside in ("Xóm Một", "Nguyễn Văn Đức", "Chi bộ xóm Một", "Xã Một"):
        assert outside not in page


@pytest.mark.parametrize("id_list_limit", [20_000, 0], ids=["scope as ids", "scope as a subquery"])
def test_lists_export_only_the_users_scope(client, cast, monkeypatch, id_list_limit):
    """A small scope is fetched as a list of member ids, a large one as a
    subquery (hamlets.querysets.MemberQuerySet.in_communes): the same people."""
    monkeypatch.setattr("hamlets.querysets.MEMBER_ID_LIST_LIMIT", id_list_limit)
    client.force_login(cast["other_staff"])
    response = client.get(reverse("hamlets:member_list") + "?_export=csv")
    text = response.content.decode("utf-8")
    assert "Võ Thị Lan" in text and "Nguyễn Văn Đức" not in text


@pytest.mark.parametrize("name", sorted(n for n, (k, _b) in URLS.items() if k == "admin"))
def test_staff_cannot_reach_the_administrators_pages(client, cast, name):
    from hamlets.models import Hamlet

    _kind, url = url_for(name)
    client.force_login(cast["staff"])
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    assert Hamlet.objects.get(code="H1").name == "Xóm Một"  # the rename was not applied


def test_the_change_log_is_for_administrators(client, cast):
    for role in ("staff", "viewer", "approver"):
        client.force_login(cast[role])
        assert client.get(reverse("hamlets:change_log")).status_code == 403
    client.force_login(cast["admin"])
    response = client.get(reverse("hamlets:change_log") + "?user=&since=&until=")
    assert response.status_code == 200


def test_staff_can_open_their_own_records(client, cast, upload_of_staff):
    client.force_login(cast["staff"])
    for name, (kind, _b) in URLS.items():
        if kind in ("record", "write", "create", "list"):
            assert client.get(url_for(name)[1], follow=True).status_code == 200, name


def test_the_change_log_costs_the_same_queries_however_many_changes(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hamlets.models import Membership

    client.force_login(cast["admin"])
    url = reverse("hamlets:change_log") + "?user=&since=&until="

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    few = queries()
    for membership in Membership.objects.all():
        membership.reinforcing = not membership.reinforcing
        membership.save()
    assert queries() == few
    assert "sinh hoạt đảng từ " in client.get(url).content.decode()
