"""Dates outside 1900 … today + 10 years are typing mistakes: every page,
form and upload that takes a date refuses them with a message, never a 500."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coverage_site.lib.dates import add_years
from hamlets.models import Member, VillageHead

pytestmark = pytest.mark.django_db

RANGE_MESSAGE = "Ngày phải trong khoảng 01/01/1900"


@pytest.fixture
def staff(client, cast):
    client.force_login(cast["staff"])
    return client


PAGES = [
    reverse("home"),
    reverse("reports:dashboard", args=["province", "all"]),
    reverse("reports:dashboard", args=["district", "D1"]),
    reverse("reports:trend", args=["district", "D1"]),
    reverse("reports:drill_down", args=["district", "D1", "hamlets_without_branch"]),
    reverse("reports:drill_down", args=["district", "D1", "members_elderly"]),
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("as_of", ["01/01/0001", "31/12/9999", "1899-12-31"])
def test_pages_refuse_a_date_out_of_range_with_a_message(client, cast, url, as_of):
    client.force_login(cast["viewer"])
    response = client.get(url, {"as_of": as_of})
    assert response.status_code == 200
    page = response.content.decode()
    assert RANGE_MESSAGE in page and "Đang xem ngày hôm nay." in page


@pytest.mark.parametrize("url", [reverse("hamlets:member_list"), reverse("hamlets:hamlet_list")])
def test_list_filters_refuse_a_date_out_of_range(staff, url):
    response = staff.get(url, {"active_on": "31/12/9999"})
    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_the_api_answers_400_naming_the_argument(staff, as_of):
    response = staff.get(reverse("reports:indicators_api"), {"unit": "province:all", "as_of": as_of})
    assert response.status_code == 400
    assert response.json()["error"].startswith("as_of: Ngày phải trong khoảng 01/01/1900")


def test_the_summaries_page_refuses_a_month_out_of_range(staff, cast, client):
    client.force_login(cast["viewer"])
    response = client.get(reverse("reports:summary_list"), {"month": "9999-12"})
    assert response.status_code == 200
    assert "Không đọc được tháng “9999-12”" in response.content.decode()


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "2016-13", "abc"])
def test_a_summary_of_a_month_out_of_range_is_not_found(staff, month):
    assert staff.get(f"/summaries/district/D1/{month}/").status_code == 404
    assert staff.get(f"/summaries/district/D1/{month}/export.pdf").status_code == 404


ADMIT = {
    "code": "NEW1",
    "full_name": "Nguyễn Văn Mới",
    "gender": "male",
    "birth_date": "01/01/1990",
    "admitted_on": "01/01/2015",
    "ethnicity": "Kinh",
}


@pytest.mark.parametrize("field", ["birth_date", "admitted_on"])
@pytest.mark.parametrize("value", ["31/12/9999", "01/01/0001"])
def test_the_admission_form_refuses_a_date_out_of_range(staff, field, value):
    from hamlets.models import Branch

    data = {**ADMIT, "branch": Branch.objects.get(code="B1").pk, field: value}
    response = staff.post(reverse("hamlets:member_admit"), data)
    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    assert not Member.objects.filter(code="NEW1").exists()


def test_the_village_head_form_refuses_a_birth_date_out_of_range(staff):
    data = {"code": "VHX", "full_name": "Trưởng", "term_start": "01/01/2020", "birth_date": "31/12/9999"}
    response = staff.post(reverse("hamlets:hamlet_head", args=["H3"]), data)
    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    assert not VillageHead.objects.filter(code="VHX").exists()


def test_the_member_edit_form_refuses_a_birth_date_out_of_range(staff):
    from hamlets.views import version_of

    member = Member.objects.get(code="M1")
    url = reverse("hamlets:member_edit", args=["M1"])
    data = {"full_name": member.full_name, "gender": "male", "birth_date": "31/12/9999", "version": version_of(member)}
    response = staff.post(url, data)
    assert response.status_code == 200
    assert RANGE_MESSAGE in response.content.decode()
    member.refresh_from_db()
    assert member.birth_date == datetime.date(1950, 3, 1)


def test_an_upload_refuses_a_date_out_of_range_with_its_cell(staff):
    content = (
        "code,full_name,gender,birth_date,residence_hamlet_code,admitted_on\n"
        "M9,Hồ Văn Chín,male,9999-12-31,H1,2015-01-01\n"
    ).encode()
    response = staff.post(reverse("hamlets:upload"), {"file": SimpleUploadedFile("members.csv", content)})
    page = staff.get(response["Location"]).content.decode()
    assert "members" in page and "birth_date" in page
    assert "ngày 31/12/9999: Ngày phải trong khoảng 01/01/1900" in page


def test_year_arithmetic_at_the_calendar_s_ends_does_not_crash():
    assert add_years(datetime.date(9999, 12, 31), 18) == datetime.date.max
    assert add_years(datetime.date(1, 1, 1), -60) == datetime.date.min
    assert add_years(datetime.date(2016, 2, 29), 1) == datetime.date(2017, 2, 28)


def test_an_import_checks_all_its_dates_against_one_day(monkeypatch):
    """dates.one_day() (an import runs inside it): the day it began, even if midnight passes."""
    import datetime

    from django.utils import timezone

    from coverage_site.lib import dates

    with dates.one_day():
        began = dates.today()
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: began + datetime.timedelta(days=1))
        assert dates.today() == began
    assert dates.today() == began + datetime.timedelta(days=1)
