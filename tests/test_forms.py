"""Data rules reachable through the browser forms: each gives its message
next to the field and saves nothing."""

import datetime

import pytest
from django.urls import reverse

from hamlets.exchange import export_tables
from hamlets.models import Branch, BranchSecretary, Member, Membership, VillageHead

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast["staff"])
    return client


def errors_of(response):
    return {name: [str(e) for e in errors] for name, errors in response.context["form"].errors.items()}


def unchanged(before):
    return export_tables() == before


def post(client, name, data, **kwargs):
    before = export_tables()
    response = client.post(reverse(name, kwargs=kwargs), data)
    assert response.status_code == 200, "the form is shown again"
    assert unchanged(before), "nothing is saved"
    return errors_of(response), response.content.decode()


def test_admission_before_18(staff_client):
    errors, page = post(
        staff_client,
        "hamlets:member_admit",
        {
            "code": "M9",
            "full_name": "Hồ Văn Mới",
            "gender": "male",
            "birth_date": "01/06/2000",
            "admitted_on": "01/01/2016",
            "branch": Branch.objects.get(code="B1").pk,
        },
    )
    assert "chưa đủ 18 tuổi" in errors["admitted_on"][0]
    assert "chưa đủ 18 tuổi" in page


def test_a_malformed_date_is_refused(staff_client):
    errors, _page = post(
        staff_client,
        "hamlets:member_transfer",
        {"to_branch": Branch.objects.get(code="B2").pk, "on": "31/02/2016"},
        code="M1",
    )
    assert errors["on"]


def test_transfer_before_the_current_membership_started(staff_client):
    # M3 joined B1 on 02/09/2010: a transfer dated earlier would overlap.
    errors, _page = post(
        staff_client,
        "hamlets:member_transfer",
        {"to_branch": Branch.objects.get(code="B2").pk, "on": "01/01/2009"},
        code="M3",
    )
    assert errors["on"]


def test_leaving_before_joining(staff_client):
    errors, _page = post(staff_client, "hamlets:member_leave", {"on": "01/01/1989", "reason": "deceased"}, code="M1")
    assert errors["on"]


def test_official_before_admission(staff_client):
    errors, _page = post(staff_client, "hamlets:member_recognise", {"official_on": "01/01/1974"}, code="M1")
    assert "ngày kết nạp" in errors["official_on"][0]


def test_training_in_the_future(staff_client):
    future = (datetime.date.today() + datetime.timedelta(days=30)).strftime("%d/%m/%Y")
    errors, _page = post(staff_client, "hamlets:member_training", {"trained_on": future}, code="M2")
    assert "tương lai" in errors["trained_on"][0]


def test_branch_serving_a_hamlet_of_another_commune(staff_client):
    from hamlets.models import Commune, Hamlet

    errors, _page = post(
        staff_client,
        "hamlets:branch_found",
        {
            "code": "B9",
            "name": "Chi bộ mới",
            "commune": Commune.objects.get(code="C2").pk,
            "hamlets": [Hamlet.objects.get(code="H1").pk],
            "established_on": "01/01/2016",
        },
    )
    assert "không thuộc xã" in errors["hamlets"][0]


def test_secretary_term_before_membership(staff_client):
    m2 = Member.objects.get(code="M2")
    errors, _page = post(
        staff_client, "hamlets:branch_secretary", {"member": m2.pk, "start_on": "01/01/2009"}, code="B2"
    )
    assert "suốt nhiệm kỳ" in " ".join(errors.get("member", []) + errors.get("__all__", []))


def test_village_head_younger_than_21(staff_client):
    errors, _page = post(
        staff_client,
        "hamlets:hamlet_head",
        {
            "code": "VH9",
            "full_name": "Lê Văn Trẻ",
            "birth_date": "01/01/2000",
            "term_start": "01/06/2016",
        },
        code="H2",
    )
    assert "21 tuổi" in errors["birth_date"][0]


def test_village_head_term_overlapping_the_previous_one(staff_client):
    # VH3 (H2) runs 01/06/2014 – 01/06/2019; a new term from 2013 would overlap it.
    errors, _page = post(
        staff_client,
        "hamlets:hamlet_head",
        {
            "code": "VH9",
            "full_name": "Lê Văn Trẻ",
            "term_start": "01/06/2013",
            "term_end": "01/06/2015",
        },
        code="H2",
    )
    assert any("trùng" in e for e in errors.get("term_start", []))


def test_dissolving_a_branch_with_members(staff_client):
    errors, _page = post(staff_client, "hamlets:branch_dissolve", {"on": "01/01/2016"}, code="B1")
    assert "chuyển sinh hoạt" in errors["on"][0]


def test_member_edit_birth_date_that_breaks_the_admission_age(staff_client):
    m1 = Member.objects.get(code="M1")
    from hamlets.views import version_of

    errors, _page = post(
        staff_client,
        "hamlets:member_edit",
        {
            "full_name": m1.full_name,
            "gender": "male",
            "birth_date": "01/01/1960",
            "version": version_of(m1),
        },
        code="M1",
    )
    assert "18 tuổi" in " ".join(errors["__all__"] + errors.get("birth_date", []) + errors.get("admitted_on", []))


# --- actions that succeed, checked by what the user then sees -------------------------------


def test_transfer_moves_the_member_and_ends_the_secretary_term(staff_client):
    response = staff_client.post(
        reverse("hamlets:member_transfer", kwargs={"code": "M3"}),
        {"to_branch": Branch.objects.get(code="B2").pk, "on": "01/03/2016"},
    )
    assert response.status_code == 302
    old, new = Membership.objects.filter(member__code="M3").order_by("joined_on")
    assert (old.left_on, old.left_reason) == (datetime.date(2016, 3, 1), "transferred")
    assert (new.branch.code, new.joined_on, new.left_on) == ("B2", datetime.date(2016, 3, 1), None)
    term = BranchSecretary.objects.get(member__code="M3")
    assert term.end_on == datetime.date(2016, 3, 1)
    page = staff_client.get(response["Location"]).content.decode()
    assert "Đã chuyển sinh hoạt." in page and "Chi bộ thôn Hai" in page


def test_appointing_a_head_ends_the_previous_term(staff_client):
    response = staff_client.post(
        reverse("hamlets:hamlet_head", kwargs={"code": "H1"}),
        {
            "code": "VH9",
            "full_name": "Lê Văn Mới",
            "member": "M3",
            "term_start": "01/06/2016",
        },
    )
    assert response.status_code == 302
    assert VillageHead.objects.get(code="VH2").term_end == datetime.date(2016, 6, 1)
    assert VillageHead.objects.get(code="VH9").member.code == "M3"


def test_history_records_who_changed_what(staff_client, cast):
    staff_client.post(reverse("hamlets:member_training", kwargs={"code": "M2"}), {"trained_on": "05/05/2015"})
    member = Member.objects.get(code="M2")
    latest = member.history.latest()
    assert latest.history_user == cast["staff"]
    page = staff_client.get(reverse("hamlets:record_history", kwargs={"kind": "member", "pk": member.pk}))
    text = page.content.decode()
    assert "staff_d1" in text and "05/05/2015" in text


def test_admitting_a_candidate_links_the_record(staff_client):
    from hamlets.models import Candidate

    page = staff_client.get(reverse("hamlets:candidate_list")).content.decode()
    assert "?candidate=Q1" in page
    form = staff_client.get(reverse("hamlets:member_admit") + "?candidate=Q1").context["form"]
    assert form.initial["full_name"] == "Đặng Văn Phúc"
    response = staff_client.post(
        reverse("hamlets:member_admit"),
        {
            "code": "M9",
            "full_name": "Đặng Văn Phúc",
            "gender": "male",
            "birth_date": "01/01/1995",
            "admitted_on": "01/06/2016",
            "branch": Branch.objects.get(code="B3").pk,
            "candidate": Candidate.objects.get(code="Q1").pk,
        },
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(code="Q1")
    assert (candidate.status, candidate.member.code) == ("admitted", "M9")
    assert Membership.objects.get(member__code="M9").joined_on == datetime.date(2016, 6, 1)


def test_a_record_page_with_an_unreadable_date_says_so(staff_client):
    page = staff_client.get(reverse("hamlets:hamlet_detail", kwargs={"code": "H1"}), {"as_of": "31/02/2016"})
    assert "Ngày “31/02/2016” không hợp lệ" in page.content.decode()


def test_member_list_filters_full_and_probationary_members(staff_client):
    from hamlets.models import Member

    Member.objects.filter(code="M3").update(official_on=None)
    url = reverse("hamlets:member_list")
    probationary = staff_client.get(url, {"status": "probationary", "active_on": "01/01/2016"})
    full = staff_client.get(url, {"status": "full", "active_on": "01/01/2016"})
    assert [m.code for m in probationary.context["table"].data] == ["M3"]
    assert sorted(m.code for m in full.context["table"].data) == ["M1", "M2"]


def test_a_history_page_costs_the_same_queries_however_long_the_history(staff_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = Member.objects.get(code="M2")
    url = reverse("hamlets:record_history", kwargs={"kind": "member", "pk": member.pk})

    def queries():
        with CaptureQueriesContext(connection) as context:
            staff_client.get(url)
        return len(context.captured_queries)

    member.ethnicity = "Thái"
    member.save()
    few = queries()
    for ethnicity in ("Kinh", "Mường", "Thái", "Kinh"):
        member.ethnicity = ethnicity
        member.save()
    assert queries() == few
    assert "Mường" in staff_client.get(url).content.decode()


def test_a_transfer_ends_only_the_member_s_own_open_secretary_term(staff_client):
    """M1 was B1's secretary until 2015 (a closed term); M3 is now. M1 moving
    to B2 leaves M3's term open and M1's old term as it was."""
    response = staff_client.post(
        reverse("hamlets:member_transfer", kwargs={"code": "M1"}),
        {"to_branch": Branch.objects.get(code="B2").pk, "on": "01/03/2016"},
    )
    assert response.status_code == 302
    assert BranchSecretary.objects.get(member__code="M3", branch__code="B1").end_on is None
    assert BranchSecretary.objects.get(member__code="M1", branch__code="B1").end_on == datetime.date(2015, 6, 1)


def test_a_rule_broken_by_an_action_s_second_record_shows_next_to_the_form_s_field(staff_client):
    """The membership's "joined_on" is the form's "admitted_on": B2 was founded in 2000."""
    errors, _page = post(
        staff_client,
        "hamlets:member_admit",
        {
            "code": "M9",
            "full_name": "Hồ Văn Mới",
            "gender": "male",
            "birth_date": "01/06/1970",
            "admitted_on": "01/01/1999",
            "branch": Branch.objects.get(code="B2").pk,
        },
    )
    assert list(errors) == ["admitted_on"]
    assert "phải sinh hoạt trong thời gian tồn tại của chi bộ B2" in errors["admitted_on"][0]


def test_editing_a_village_head_term_locks_its_hamlet_and_saves(staff_client):
    from hamlets.views import version_of

    head = VillageHead.objects.get(code="VH3")
    response = staff_client.post(
        reverse("hamlets:villagehead_edit", kwargs={"code": "VH3"}),
        {
            "hamlet": head.hamlet_id,
            "full_name": "Phan Thị Lan",
            "gender": "female",
            "birth_date": "04/04/1975",
            "term_start": "01/06/2014",
            "term_end": "01/07/2019",
            "version": version_of(head),
        },
    )
    assert response.status_code == 302, errors_of(response)
    assert VillageHead.objects.get(code="VH3").term_end == datetime.date(2019, 7, 1)


def test_a_secretary_cannot_leave_the_branch_on_the_day_the_term_began(staff_client):
    assert (
        staff_client.post(
            reverse("hamlets:branch_secretary", kwargs={"code": "B1"}),
            {"member": Member.objects.get(code="M1").pk, "start_on": "01/03/2016"},
        ).status_code
        == 302
    )
    errors, page = post(
        staff_client,
        "hamlets:member_transfer",
        {"to_branch": Branch.objects.get(code="B2").pk, "on": "01/03/2016"},
        code="M1",
    )
    assert "phải sau" in errors["__all__"][0] and "01/03/2016" in errors["__all__"][0]
    assert BranchSecretary.objects.get(member__code="M1", start_on=datetime.date(2016, 3, 1)).end_on is None


def test_locking_a_term_s_parents_reads_their_rows(cast):
    """The lock is SELECT … FOR UPDATE on PostgreSQL (SQLite locks the whole
    database instead); either way the parents' rows are read."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from hamlets import actions

    head = VillageHead.objects.select_related("hamlet").get(code="VH3")
    term = BranchSecretary.objects.select_related("branch", "member").get(member__code="M2")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        actions.lock_parents_of(head)
        actions.lock_parents_of(term)
    tables = [q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries.captured_queries]
    assert tables == ["hamlets_hamlet", "hamlets_branch", "hamlets_member"]
    ids = [head.hamlet_id, term.branch_id, term.member_id]
    for query, pk in zip(queries.captured_queries, ids, strict=True):
        assert query["sql"].endswith(f"= {pk}") or f"= {pk} " in query["sql"], query["sql"]
    if connection.vendor == "postgresql":
        assert all("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_a_clerk_corrects_a_membership_date_with_a_reason_kept_in_the_history(staff_client):
    from hamlets.views import version_of

    membership = Membership.objects.get(member__code="M3")
    url = reverse("hamlets:membership_correct", kwargs={"pk": membership.pk})
    assert "Sửa ngày" in staff_client.get(reverse("hamlets:member_detail", kwargs={"code": "M3"})).content.decode()
    data = {"joined_on": "03/09/2010", "left_on": "", "left_reason": "", "version": version_of(membership)}
    # Without a reason nothing is saved.
    errors, _page = post(staff_client, "hamlets:membership_correct", data, pk=membership.pk)
    assert "reason" in errors
    response = staff_client.post(url, {**data, "reason": "Gõ nhầm ngày"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.joined_on == datetime.date(2010, 9, 3)
    latest = membership.history.order_by("-history_id").first()
    assert latest.history_change_reason == "Gõ nhầm ngày" and latest.history_user.username == "staff_d1"


def test_a_correction_runs_every_rule(staff_client):
    from hamlets.views import version_of

    term = BranchSecretary.objects.get(member__code="M3")  # B1 from 2015, M3 in B1 since 2010
    errors, _page = post(
        staff_client,
        "hamlets:secretary_correct",
        {"start_on": "01/01/2009", "end_on": "", "reason": "x", "version": version_of(term)},
        pk=term.pk,
    )
    assert any("phải sinh hoạt tại chi bộ này suốt nhiệm kỳ" in e for messages in errors.values() for e in messages)
    head = VillageHead.objects.get(code="VH2")  # from 2014; VH1 ended then
    errors, _page = post(
        staff_client,
        "hamlets:head_term_correct",
        {"term_start": "01/01/2014", "term_end": "", "reason": "x", "version": version_of(head)},
        code="VH2",
    )
    assert any("trùng với trưởng thôn VH1" in e for messages in errors.values() for e in messages)


def test_a_correction_shows_in_the_changed_since_approval_count(staff_client, cast):
    from hamlets.views import version_of
    from reports import summaries
    from reports.indicators import get_unit

    unit = get_unit("district", "D1")
    summary = summaries.summary_submit(
        unit=unit, month=datetime.date(2016, 3, 1), user=cast["staff"], findings_confirmed=True
    )
    summary = summaries.summary_approve(summary=summary, user=cast["approver"])
    assert summaries.changes_since(unit, summary.approved_at)[0] == 0
    term = BranchSecretary.objects.get(member__code="M2")
    response = staff_client.post(
        reverse("hamlets:secretary_correct", kwargs={"pk": term.pk}),
        {"start_on": "02/01/2012", "end_on": "", "reason": "Gõ nhầm", "version": version_of(term)},
    )
    assert response.status_code == 302
    assert summaries.changes_since(unit, summary.approved_at)[0] == 1


def test_the_member_list_search_puts_names_in_the_typed_order_first(staff_client):
    Member.objects.filter(code="M2").update(full_name="Đức Văn Nguyễn", name_folded="duc van nguyen")
    page = staff_client.get(reverse("hamlets:member_list"), {"q": "nguyen van"}).content.decode()
    assert page.index("Nguyễn Văn Đức") < page.index("Đức Văn Nguyễn")
    page = staff_client.get(reverse("hamlets:member_list"), {"q": "van nguyen"}).content.decode()
    assert page.index("Đức Văn Nguyễn") < page.index("Nguyễn Văn Đức")


def test_choices_are_in_vietnamese_order_and_name_their_commune(staff_client, cast):
    from hamlets.models import Commune, Hamlet

    c1 = Commune.objects.get(code="C1")
    for code, name in [("H21", "Xóm 10"), ("H22", "Xóm 2"), ("H23", "Đồng Xuân"), ("H24", "Dương Xá")]:
        Hamlet.objects.create(code=code, name=name, commune=c1)
    page = staff_client.get(reverse("hamlets:member_admit")).content.decode()
    hamlet_select = page.split('name="residence_hamlet"')[1].split("</select>")[0]
    labels = [part.split("<")[0] for part in hamlet_select.split('">')[2:]]
    assert labels == [
        "Dương Xá — Xã Một",
        "Đồng Xuân — Xã Một",
        "Thôn Hai — Xã Một",
        "Xóm 2 — Xã Một",
        "Xóm 10 — Xã Một",
        "Xóm Ba — Xã Hai",
        "Xóm Một — Xã Một",
    ]
    branch_select = page.split('name="branch"')[1].split("</select>")[0]
    assert "Chi bộ xóm Ba — Xã Hai" in branch_select


def test_the_member_list_shows_each_member_s_branch_and_commune(staff_client):
    page = staff_client.get(reverse("hamlets:member_list")).content.decode()
    row = page.split("Trần Thị Hoa")[1].split("</tr>")[0]
    assert "Chi bộ thôn Hai" in row and "Xã Một" in row


def test_a_database_refusal_in_an_action_becomes_a_clear_message():
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError

    from hamlets import actions

    @actions.action
    def clash():
        raise IntegrityError("duplicate key value violates unique constraint")

    with pytest.raises(actions.ConcurrentChange) as refused:
        clash()
    assert isinstance(refused.value, ValidationError) and refused.value.code == "concurrent_change"
    assert refused.value.messages == [
        "Dữ liệu vừa được người khác thay đổi cùng lúc: không có gì được ghi. Hãy xem lại và thử lại."
    ]


def test_a_lost_race_is_checked_again_then_reported_on_the_form():
    """views._perform: a ConcurrentChange re-validates the form and runs once
    more; a second one is shown above the form."""
    from django import forms as django_forms

    from hamlets import actions
    from hamlets.views import _perform

    class Form(django_forms.Form):
        name = django_forms.CharField()

    attempts = []

    def always_clashing(data):
        attempts.append(data["name"])
        raise actions.ConcurrentChange()

    form = Form({"name": "x"})
    assert form.is_valid()
    assert _perform(form, always_clashing) is None
    assert attempts == ["x", "x"]
    assert form.non_field_errors() == [actions.concurrent_change_message()]

    def clashing_once(data, seen=[]):  # noqa: B006 - remembers the first call
        seen.append(1)
        if len(seen) == 1:
            raise actions.ConcurrentChange()
        return "saved"

    form = Form({"name": "y"})
    assert form.is_valid() and _perform(form, clashing_once) == "saved"


def test_a_member_s_history_tells_the_transfer_in_vietnamese(staff_client, cast, client):
    staff_client.post(
        reverse("hamlets:member_transfer", kwargs={"code": "M1"}),
        {"to_branch": Branch.objects.get(code="B2").pk, "on": "01/03/2016"},
    )
    member = Member.objects.get(code="M1")
    page = staff_client.get(reverse("hamlets:record_history", kwargs={"kind": "member", "pk": member.pk}))
    html = page.content.decode()
    assert "sinh hoạt đảng từ 01/03/2016" in html and "Tạo mới" in html and "Sửa" in html
    assert "Created" not in html and "Changed" not in html
    # The change log opens on the latest changes.
    client.force_login(cast["admin"])
    log = client.get(reverse("hamlets:change_log")).content.decode()
    assert "Không có thay đổi nào khớp." not in log and "sinh hoạt đảng từ 01/03/2016" in log
