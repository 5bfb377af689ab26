"""Two clicks at once, with real threads and real transactions (PostgreSQL).

Each case runs many rounds; in each, two requests are released together by a
barrier. Afterwards the rule holds (no overlapping terms, one member per
code, one workflow step per state) and no request ended in a server error.

SQLite is skipped: the test database lives in memory and is not shared
between threads the way a file or a server is; there every transaction takes
the write lock when it begins (settings: transaction_mode IMMEDIATE).
"""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from hamlets.models import Branch, BranchSecretary, Commune, Hamlet, Member, Membership, VillageHead
from reports.models import MonthlySummary, SummaryEvent

from .conftest import make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs a database shared between threads"),
]
ROUNDS = 8


def together(*requests):
    """Run the callables in threads released at the same moment; their results."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            results[index] = request()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def logged_in(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def overlapping(periods):
    periods = sorted(periods, key=lambda p: p[0])
    return [
        (a, b)
        for index, a in enumerate(periods)
        for b in periods[index + 1 :]
        if (a[1] is None or b[0] < a[1]) and (b[1] is None or a[0] < b[1])
    ]


@pytest.fixture
def staff(cast):
    return cast["staff"]


def post(user, url, data):
    return lambda: logged_in(user).post(url, data).status_code


def test_two_appointments_of_a_village_head_leave_no_overlap(staff):
    commune = Commune.objects.get(code="C1")
    for number in range(ROUNDS):
        hamlet = Hamlet.objects.create(code=f"RH{number}", name="Xóm đua", commune=commune)
        url = reverse("hamlets:hamlet_head", args=[hamlet.code])
        statuses = together(
            *[
                post(staff, url, {"code": f"RV{number}-{i}", "full_name": f"Trưởng {i}", "term_start": "01/01/2020"})
                for i in range(2)
            ]
        )
        assert 500 not in statuses
        terms = VillageHead.objects.filter(hamlet=hamlet).values_list("term_start", "term_end")
        assert overlapping(list(terms)) == []
        assert len(terms) == 1 and sorted(statuses) == [200, 302]


def test_two_appointments_of_a_secretary_leave_no_overlap(staff):
    commune = Commune.objects.get(code="C1")
    for number in range(ROUNDS):
        hamlet = Hamlet.objects.create(code=f"SH{number}", name="Xóm", commune=commune)
        branch = Branch.objects.create(
            code=f"SB{number}", name="Chi bộ", commune=commune, established_on=datetime.date(2000, 1, 1)
        )
        branch.hamlets.set([hamlet])
        people = []
        for i in range(2):
            member = Member.objects.create(
                code=f"SM{number}-{i}",
                full_name="Đảng viên",
                gender="male",
                birth_date=datetime.date(1970, 1, 1),
                admitted_on=datetime.date(2000, 1, 1),
                official_on=datetime.date(2001, 1, 1),
            )
            Membership.objects.create(member=member, branch=branch, joined_on=datetime.date(2000, 1, 1))
            people.append(member)
        url = reverse("hamlets:branch_secretary", args=[branch.code])
        statuses = together(*[post(staff, url, {"member": m.pk, "start_on": "01/01/2020"}) for m in people])
        assert 500 not in statuses
        terms = BranchSecretary.objects.filter(branch=branch).values_list("start_on", "end_on")
        assert overlapping(list(terms)) == []
        assert len(terms) == 1


def test_admitting_twice_with_one_code_gives_the_form_error(staff):
    for number in range(ROUNDS):
        data = {
            "code": f"AD{number}",
            "full_name": "Nguyễn Văn Mới",
            "gender": "male",
            "birth_date": "01/01/1990",
            "admitted_on": "01/01/2020",
            "branch": Branch.objects.get(code="B1").pk,
            "ethnicity": "Kinh",
        }
        clients = [logged_in(staff), logged_in(staff)]
        responses = together(*[lambda c=c, data=data: c.post(reverse("hamlets:member_admit"), data) for c in clients])
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 302]
        refused = next(r for r in responses if r.status_code == 200).content.decode()
        # The message of the validation path: the form's (it ran after the
        # other request committed) or the model's (it waited on the lock).
        assert f"Mã “AD{number}” đã được dùng." in refused or "Đảng viên có Mã đã tồn tại." in refused
        assert Member.objects.filter(code=f"AD{number}").count() == 1


def test_two_heads_with_one_new_code_gives_the_form_error(staff):
    commune = Commune.objects.get(code="C1")
    for number in range(ROUNDS):
        hamlets = [Hamlet.objects.create(code=f"TH{number}-{i}", name="Xóm", commune=commune) for i in range(2)]
        data = {"code": f"TV{number}", "full_name": "Trưởng thôn", "term_start": "01/01/2020"}
        clients = [logged_in(staff), logged_in(staff)]
        responses = together(
            *[
                lambda c=c, h=h, data=data: c.post(reverse("hamlets:hamlet_head", args=[h.code]), data)
                for c, h in zip(clients, hamlets, strict=True)
            ]
        )
        assert sorted(r.status_code for r in responses) == [200, 302]
        refused = next(r for r in responses if r.status_code == 200).content.decode()
        assert f"Mã “TV{number}” đã được dùng." in refused or "có Mã đã tồn tại." in refused
        assert VillageHead.objects.filter(code=f"TV{number}").count() == 1


def summary_url(month):
    return reverse("reports:summary_detail", kwargs={"kind": "district", "code": "D1", "month": month})


def test_two_first_submits_of_a_month_make_one_submission(staff):
    for number in range(ROUNDS):
        month = f"2015-{number + 1:02d}"
        statuses = together(
            *[post(staff, summary_url(month), {"action": "submit", "findings_confirmed": "1"}) for _ in range(2)]
        )
        assert statuses == [302, 302]
        summary = MonthlySummary.objects.get(unit_code="D1", month=datetime.date(2015, number + 1, 1))
        assert summary.status == "submitted"
        assert summary.events.filter(action="submit").count() == 1


def test_approve_and_return_at_once_end_in_one_of_them(staff, cast):
    approvers = [cast["approver"], make_user("approver_2", "provincial_approver")]
    for number in range(ROUNDS):
        month = f"2014-{number + 1:02d}"
        assert (
            logged_in(staff).post(summary_url(month), {"action": "submit", "findings_confirmed": "1"}).status_code
            == 302
        )
        statuses = together(
            post(approvers[0], summary_url(month), {"action": "approve"}),
            post(approvers[1], summary_url(month), {"action": "return", "text": "Thiếu số liệu"}),
        )
        assert 500 not in statuses
        summary = MonthlySummary.objects.get(unit_code="D1", month=datetime.date(2014, number + 1, 1))
        steps = list(summary.events.values_list("action", flat=True))
        # Exactly one of the two happened, and the state is that one's.
        assert steps in (["submit", "approve"], ["submit", "return"])
        assert summary.status == {"approve": "approved", "return": "returned"}[steps[-1]]
        assert (summary.frozen is not None) == (steps[-1] == "approve")


def test_two_approvals_record_one(staff, cast):
    approvers = [cast["approver"], make_user("approver_2", "provincial_approver")]
    for number in range(ROUNDS):
        month = f"2013-{number + 1:02d}"
        logged_in(staff).post(summary_url(month), {"action": "submit", "findings_confirmed": "1"})
        statuses = together(*[post(a, summary_url(month), {"action": "approve"}) for a in approvers])
        assert 500 not in statuses
        summary = MonthlySummary.objects.get(unit_code="D1", month=datetime.date(2013, number + 1, 1))
        assert summary.status == "approved"
        assert SummaryEvent.objects.filter(summary=summary, action="approve").count() == 1


def test_the_loser_of_a_workflow_race_is_told(staff, cast):
    month = "2012-05"
    logged_in(staff).post(summary_url(month), {"action": "submit", "findings_confirmed": "1"})
    first, second = logged_in(cast["approver"]), logged_in(make_user("approver_2", "provincial_approver"))
    first.post(summary_url(month), {"action": "approve"})
    # The second approver's page was opened before the first approved.
    response = second.post(summary_url(month), {"action": "return", "text": "x"}, follow=True)
    assert "Không thực hiện được: báo cáo đang ở tình trạng “đã duyệt” (approver" in response.content.decode()


def test_an_import_and_an_appointment_at_once_leave_no_overlap(staff, tmp_path):
    """The importer locks the hamlets it touches, as the actions do."""
    from hamlets.exchange import import_sheets

    from .sheets import raw

    commune = Commune.objects.get(code="C1")
    for number in range(ROUNDS):
        hamlet = Hamlet.objects.create(code=f"IH{number}", name="Xóm", commune=commune)
        sheet = {
            "village_heads": [
                ["code", "hamlet_code", "full_name", "term_start"],
                [f"IV{number}", hamlet.code, "Từ tệp", "2020-01-01"],
            ]
        }
        url = reverse("hamlets:hamlet_head", args=[hamlet.code])
        results = together(
            lambda sheet=sheet: import_sheets(raw(sheet)).ok,
            post(staff, url, {"code": f"IW{number}", "full_name": "Từ trang", "term_start": "01/01/2020"}),
        )
        assert 500 not in results
        terms = VillageHead.objects.filter(hamlet=hamlet).values_list("term_start", "term_end")
        assert overlapping(list(terms)) == [] and len(terms) == 1


@pytest.mark.parametrize(
    "make",
    [
        lambda h, b, m: [
            VillageHead(code=f"X{i}", hamlet=h, full_name="A", term_start=datetime.date(2020 + i, 1, 1))
            for i in range(2)
        ],
        lambda h, b, m: [BranchSecretary(branch=b, member=m, start_on=datetime.date(2020 + i, 1, 1)) for i in range(2)],
    ],
    ids=["village_heads", "secretaries"],
)
def test_the_database_refuses_overlapping_terms_at_commit(make, cast):
    """The last guard, below the rules: PostgreSQL's exclusion constraints."""
    from django.db import IntegrityError, transaction

    hamlet, branch = Hamlet.objects.get(code="H3"), Branch.objects.get(code="B3")
    member = Member.objects.get(code="M4")
    with pytest.raises(IntegrityError, match="no_overlap"), transaction.atomic():
        for record in make(hamlet, branch, member):
            record.save()
    with pytest.raises(IntegrityError, match="membership_no_overlap"), transaction.atomic():
        Membership.objects.create(member=member, branch=branch, joined_on=datetime.date(2021, 1, 1))
