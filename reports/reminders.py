"""Reminders and delivery by email (`manage.py send_reminders`, daily from
cron or a scheduled job):

- the clerks of each unit whose summary of last month is overdue
  (reports.summaries.is_overdue) are reminded, once a day while it is;
- approvers get the list of summaries waiting for them, once a day when
  there are any;
- subscribed leaders (reports.models.Subscription) receive the province's
  summaries of a month, PDF and XLSX attached, once, when every unit's
  summary of that month is approved.

Each email says why the person receives it and how to stop (a signed link
to reports:email_stop). What was sent is recorded (SentEmail) so a second
run sends nothing twice. Email goes through Django's backend: the console by
default, SMTP from EMAIL_URL or the usual EMAIL_* settings.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse

from hamlets.models import Role

from . import summaries
from .models import EmailOptOut, SentEmail, Subscription

logger = logging.getLogger(__name__)

OVERDUE, WAITING, PROVINCE = "overdue", "waiting", "province"
KINDS = {
    OVERDUE: "nhắc nộp báo cáo tháng",
    WAITING: "danh sách báo cáo chờ duyệt",
    PROVINCE: "báo cáo tháng toàn tỉnh",
}
STOP_SALT = "reports.email-stop"


@dataclass
class Letter:
    kind: str
    key: str  # what it is about, with the day for daily letters
    to: str
    subject: str
    body: str
    attachments: list = field(default_factory=list)  # (filename, bytes, mimetype)


def stop_link(email, kind):
    token = signing.dumps({"email": email, "kind": kind}, salt=STOP_SALT)
    return settings.SITE_URL.rstrip("/") + reverse("reports:email_stop", args=[token])


def read_stop_token(token):
    """(email, kind) of a stop link, or None if it was altered."""
    try:
        data = signing.loads(token, salt=STOP_SALT)
    except signing.BadSignature:
        return None
    if data.get("kind") not in KINDS or not data.get("email"):
        return None
    return data["email"], data["kind"]


def _footer(email, kind, why):
    return (
        f"\n\n--\nBạn nhận thư này vì {why}.\n"
        f"Để không nhận {KINDS[kind]} nữa, mở liên kết: {stop_link(email, kind)}\n"
        "Thư được gửi tự động từ hệ thống Độ phủ chi bộ; không trả lời thư này."
    )


def _page(path):
    return settings.SITE_URL.rstrip("/") + path


def _users(role):
    User = get_user_model()
    return User.objects.filter(is_active=True, profile__role=role).exclude(email="").select_related("profile")


def last_month(day):
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def overdue_letters(day):
    """To each clerk of a unit whose summary of last month is overdue on `day`."""
    month = last_month(day)
    late = [(unit, summary) for unit, summary in summaries.month_summaries(month) if summaries.is_overdue(summary, day)]
    if not late:
        return []
    clerks = list(_users(Role.DISTRICT_STAFF))
    letters = []
    for unit, summary in late:
        url = _page(reverse("reports:summary_detail", args=[unit.kind, unit.code, f"{month:%Y-%m}"]))
        for clerk in clerks:
            if not summaries.can_submit(clerk, unit):  # the unit's own staff (scope included)
                continue
            state = "bị trả lại" if summary.status == summary.Status.RETURNED else "chưa nộp"
            body = (
                f"Kính gửi {clerk.get_full_name() or clerk.username},\n\n"
                f"Báo cáo tháng {month:%m/%Y} của {unit.name} {state}; hạn nộp là "
                f"{summaries.due_date(month):%d/%m/%Y}.\n"
                f"Xem, kiểm tra dữ liệu và nộp báo cáo tại: {url}"
            )
            body += _footer(clerk.email, OVERDUE, f"là cán bộ nộp báo cáo tháng của {unit.name}")
            letters.append(
                Letter(
                    OVERDUE,
                    f"{unit.kind}:{unit.code}:{month:%Y-%m}:{day:%Y-%m-%d}",
                    clerk.email,
                    f"[Độ phủ chi bộ] Nhắc nộp báo cáo tháng {month:%m/%Y} – {unit.name}",
                    body,
                )
            )
    return letters


def waiting_letters(day):
    """To each approver, the summaries waiting for approval (if any)."""
    letters = []
    for approver in _users(Role.PROVINCIAL_APPROVER):
        # A province's approver hears of that province's summaries only.
        waiting = list(summaries.waiting_for_approval(approver))
        if not waiting:
            continue
        lines = "\n".join(
            f"- {s.unit_name}, tháng {s.month:%m/%Y}, nộp ngày {s.submitted_at:%d/%m/%Y}: "
            + _page(reverse("reports:summary_detail", args=[s.unit_kind, s.unit_code, f"{s.month:%Y-%m}"]))
            for s in waiting
        )
        body = (
            f"Kính gửi {approver.get_full_name() or approver.username},\n\n"
            f"Có {len(waiting)} báo cáo tháng đang chờ duyệt:\n{lines}"
        )
        body += _footer(approver.email, WAITING, "là người duyệt báo cáo tháng của tỉnh")
        letters.append(
            Letter(
                WAITING,
                f"{day:%Y-%m-%d}",
                approver.email,
                f"[Độ phủ chi bộ] {len(waiting)} báo cáo tháng chờ duyệt",
                body,
            )
        )
    return letters


def complete_months(day, months=12):
    """The last ended months whose every reporting unit's summary is approved."""
    found = []
    month = day.replace(day=1)
    for _number in range(months):
        month = last_month(month)
        rows = summaries.month_summaries(month)
        if rows and all(summary.status == summary.Status.APPROVED for _unit, summary in rows):
            found.append(month)
    return found


def province_letters(day):
    """To each subscribed leader, each complete month not sent to them yet, with its files."""
    from . import exports

    subscribers = list(Subscription.objects.filter(active=True))
    if not subscribers:
        return []
    letters = []
    for month in complete_months(day):
        key = f"{month:%Y-%m}"
        sent = set(SentEmail.objects.filter(kind=PROVINCE, key=key).values_list("recipient", flat=True))
        waiting = [s for s in subscribers if s.email not in sent]
        if not waiting:
            continue
        files = [
            (f"bao-cao-ca-tinh-{key}.pdf", exports.province_month_file(month, "pdf"), "application/pdf"),
            (
                f"bao-cao-ca-tinh-{key}.xlsx",
                exports.province_month_file(month, "xlsx"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        ]
        for subscriber in waiting:
            body = (
                f"Kính gửi {subscriber.name},\n\n"
                f"Báo cáo tháng {month:%m/%Y} của mọi đơn vị trong tỉnh đã được duyệt. "
                "Bản tổng hợp (PDF và Excel) được gửi kèm thư này."
            )
            body += _footer(subscriber.email, PROVINCE, "đã đăng ký nhận báo cáo tháng toàn tỉnh")
            letters.append(
                Letter(
                    PROVINCE,
                    key,
                    subscriber.email,
                    f"[Độ phủ chi bộ] Báo cáo tháng {month:%m/%Y} toàn tỉnh",
                    body,
                    files,
                )
            )
    return letters


def letters_for(day):
    """Every letter due on `day`, before dropping those sent already or refused."""
    return overdue_letters(day) + waiting_letters(day) + province_letters(day)


def send_reminders(day, dry_run=False):
    """Send what is due on `day` and not sent yet; returns (letters sent, or
    with dry_run those that would be; letters that failed, to retry next run)."""
    refused = set(EmailOptOut.objects.values_list("email", "kind"))
    sent, failed = [], []
    for letter in letters_for(day):
        if (letter.to, letter.kind) in refused:
            continue
        if SentEmail.objects.filter(kind=letter.kind, key=letter.key, recipient=letter.to).exists():
            continue
        if dry_run:
            sent.append(letter)
            continue
        try:
            with transaction.atomic():
                # Recorded first: two runs at once cannot both send (the key is unique).
                SentEmail.objects.create(kind=letter.kind, key=letter.key, recipient=letter.to)
                message = EmailMessage(letter.subject, letter.body, settings.DEFAULT_FROM_EMAIL, [letter.to])
                for attachment in letter.attachments:
                    message.attach(*attachment)
                message.send()
        except IntegrityError:
            continue  # another run sent it
        except Exception:  # noqa: BLE001 - the mail server refused: not recorded, so the next run retries
            logger.exception("Sending %s to %s failed", letter.kind, letter.to)
            failed.append(letter)
            continue
        sent.append(letter)
    return sent, failed
