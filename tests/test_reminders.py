"""Reminders by email (reports/reminders.py, manage.py send_reminders): who
gets what on a given day, nothing twice, the stop link, the attachments."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from coverage_site.settings import email_settings
from reports import reminders, summaries
from reports.indicators import get_unit
from reports.models import EmailOptOut, SentEmail, Subscription

from .conftest import make_user

pytestmark = pytest.mark.django_db
NOV = datetime.date(2016, 11, 1)
D = datetime.date


@pytest.fixture
def people(demo_data, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://chibo.example.org"
    found = {
        "clerk_ql": make_user("clerk_ql", "district_staff", district="QL"),
        "clerk_hm": make_user("clerk_hm", "district_staff", district="HM"),
        "clerk_qth": make_user("clerk_qth", "district_staff", commune="QTH"),  # a commune account: not QL's
        "viewer": make_user("viewer_p", "provincial_viewer"),
        "approver": make_user("approver_p", "provincial_approver"),
    }
    for user in found.values():
        user.email = f"{user.username}@example.org"
        user.save()
    return found


def run(day):
    out = io.StringIO()
    call_command("send_reminders", date=f"{day:%Y-%m-%d}", stdout=out)
    return out.getvalue()


def sent_to():
    return sorted((message.to[0], message.subject) for message in mail.outbox)


def test_on_the_12th_the_late_district_is_reminded_and_the_approver_gets_the_list(people):
    # Hoàng Mai submitted November 2016; Quỳnh Lưu did not (due 10/12/2016).
    summaries.summary_submit(
        unit=get_unit("district", "HM"), month=NOV, user=people["clerk_hm"], findings_confirmed=True
    )
    output = run(D(2016, 12, 12))
    assert sent_to() == [
        ("approver_p@example.org", "[Độ phủ chi bộ] 1 báo cáo tháng chờ duyệt"),
        ("clerk_ql@example.org", "[Độ phủ chi bộ] Nhắc nộp báo cáo tháng 11/2016 – Quỳnh Lưu"),
    ]
    assert "Đã gửi 2 thư ngày 12/12/2016." in output
    reminder = next(m for m in mail.outbox if m.to == ["clerk_ql@example.org"])
    assert "hạn nộp là 10/12/2016" in reminder.body
    assert "https://chibo.example.org/summaries/district/QL/2016-11/" in reminder.body
    assert "Bạn nhận thư này vì là cán bộ nộp báo cáo tháng của Quỳnh Lưu." in reminder.body
    assert "https://chibo.example.org/email/stop/" in reminder.body
    waiting = next(m for m in mail.outbox if m.to == ["approver_p@example.org"])
    assert "Thị xã Hoàng Mai, tháng 11/2016" in waiting.body


def test_a_second_run_the_same_day_sends_nothing_and_the_next_day_reminds_again(people):
    run(D(2016, 12, 12))
    first = len(mail.outbox)
    assert first == 2  # Quỳnh Lưu's and Hoàng Mai's clerks; nothing waits for approval
    assert "Đã gửi 0 thư" in run(D(2016, 12, 12))
    assert len(mail.outbox) == first
    run(D(2016, 12, 13))
    assert len(mail.outbox) == first * 2
    assert SentEmail.objects.count() == first * 2


def test_nobody_is_reminded_before_the_due_date(people):
    run(D(2016, 12, 10))  # due today: not late yet
    assert mail.outbox == []


def test_the_stop_link_asks_then_stops_that_kind_of_email(client, people):
    run(D(2016, 12, 12))
    body = next(m for m in mail.outbox if m.to == ["clerk_ql@example.org"]).body
    link = body[body.index("/email/stop/") :].split()[0]
    page = client.get(link)  # a mail program opening the link stops nothing
    assert page.status_code == 200 and not EmailOptOut.objects.exists()
    assert "Ngừng gửi nhắc nộp báo cáo tháng đến clerk_ql@example.org?" in page.content.decode()
    assert "sẽ không nhận nhắc nộp báo cáo tháng nữa" in client.post(link).content.decode()
    mail.outbox.clear()
    run(D(2016, 12, 13))
    assert [m.to for m in mail.outbox] == [["clerk_hm@example.org"]]
    assert client.get(link.replace("/stop/", "/stop/x")).status_code == 404


def test_leaders_receive_the_approved_month_once_with_both_files(people):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    Subscription.objects.create(name="Đồng chí Trưởng ban", email="truongban@example.org")
    for code, clerk in (("QL", "clerk_ql"), ("HM", "clerk_hm")):
        summary = summaries.summary_submit(
            unit=get_unit("district", code), month=NOV, user=people[clerk], findings_confirmed=True
        )
        if code == "QL":
            run(D(2016, 12, 12))  # Hoàng Mai not approved yet: the month is not complete
            assert not [m for m in mail.outbox if m.to == ["truongban@example.org"]]
        summaries.summary_approve(summary=summary, user=people["approver"])
    mail.outbox.clear()
    run(D(2016, 12, 20))
    letters = [m for m in mail.outbox if m.to == ["truongban@example.org"]]
    assert [m.subject for m in letters] == ["[Độ phủ chi bộ] Báo cáo tháng 11/2016 toàn tỉnh"]
    files = {name: data for name, data, _mimetype in letters[0].attachments}
    assert sorted(files) == ["bao-cao-ca-tinh-2016-11.pdf", "bao-cao-ca-tinh-2016-11.xlsx"]
    workbook = load_workbook(io.BytesIO(files["bao-cao-ca-tinh-2016-11.xlsx"]))
    cells = {str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row}
    assert any("Quỳnh Lưu" in value for value in cells) and any("Hoàng Mai" in value for value in cells)
    pdf = PdfReader(io.BytesIO(files["bao-cao-ca-tinh-2016-11.pdf"]))
    assert len(pdf.pages) >= 2
    assert "Quỳnh Lưu" in "".join(page.extract_text() for page in pdf.pages)
    assert "đã đăng ký nhận báo cáo tháng toàn tỉnh" in letters[0].body
    mail.outbox.clear()
    run(D(2016, 12, 21))
    assert not [m for m in mail.outbox if m.to == ["truongban@example.org"]]


def test_a_mail_server_failure_is_retried_on_the_next_run(people, monkeypatch):
    from django.core.mail import EmailMessage

    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(Exception, match="không gửi được"):
        run(D(2016, 12, 12))
    assert not SentEmail.objects.exists()
    monkeypatch.undo()
    run(D(2016, 12, 12))
    assert len(mail.outbox) == 2


def test_email_url_gives_the_smtp_settings():
    assert email_settings("smtp://clerk%40tinh.vn:p%40ss@mail.tinh.vn:587") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.tinh.vn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "clerk@tinh.vn",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }
    assert email_settings("smtps://mail.tinh.vn")["EMAIL_PORT"] == 465
    with pytest.raises(ValueError):
        email_settings("http://mail.tinh.vn")


def test_the_stop_link_cannot_be_forged(client, people):
    token = reminders.stop_link("clerk_ql@example.org", reminders.OVERDUE).rsplit("/stop/", 1)[1].strip("/")
    assert client.get(reverse("reports:email_stop", args=[token])).status_code == 200
    assert client.get(reverse("reports:email_stop", args=[token[:-2] + "xx"])).status_code == 404


def test_a_date_it_cannot_read_stops_the_command_and_sends_nothing(people):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Ngày không hợp lệ"):
        call_command("send_reminders", date="31/02/2016", stdout=io.StringIO())
    assert mail.outbox == [] and not SentEmail.objects.exists()
