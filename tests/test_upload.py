"""Spreadsheet upload in the browser: preview writes nothing, scope is enforced,
broken files are refused with row-level errors, confirmation applies."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hamlets.exchange import export_tables
from hamlets.models import Member, Upload, VillageHead

pytestmark = pytest.mark.django_db

MEMBERS_HEADER = "code,full_name,gender,birth_date,residence_hamlet_code,admitted_on,official_on\n"


def upload(client, name, content):
    response = client.post(reverse("hamlets:upload"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast["staff"])
    return client


def test_preview_writes_nothing_and_confirm_applies(staff_client):
    csv = MEMBERS_HEADER + "M7,Đinh Văn Bảy,male,1970-02-02,H1,1995-03-03,1996-03-03\n"
    preview_url = upload(staff_client, "members.csv", csv.encode())
    before = export_tables()
    page = staff_client.get(preview_url).content.decode()
    assert "Sẽ thêm 1 và cập nhật 0 bản ghi." in page
    assert export_tables() == before
    response = staff_client.post(preview_url)
    assert response.status_code == 302
    assert Member.objects.get(code="M7").full_name == "Đinh Văn Bảy"
    assert Member.objects.get(code="M7").history.latest().history_user.username == "staff_d1"


def test_a_row_outside_the_users_scope_is_refused(staff_client):
    # H4 is in district D2; staff_d1 works for D1.
    csv = MEMBERS_HEADER + "M7,Đinh Văn Bảy,male,1970-02-02,H4,1995-03-03,1996-03-03\n"
    preview_url = upload(staff_client, "members.csv", csv.encode())
    before = export_tables()
    response = staff_client.get(preview_url)
    errors = response.context["result"].errors
    assert [(e.sheet, e.row) for e in errors] == [("members", 2)]
    assert "ngoài phạm vi" in errors[0].message
    assert staff_client.post(preview_url).status_code == 200  # confirming does not apply it either
    assert export_tables() == before


def test_a_broken_file_gets_row_level_errors_and_changes_nothing(staff_client):
    csv = MEMBERS_HEADER + "M7,Đinh Văn Bảy,male,31/02/1970,H1,1995-03-03,\nM8,,female,1970-01-01,H1,1995-03-03,\n"
    preview_url = upload(staff_client, "members.csv", csv.encode())
    before = export_tables()
    page = staff_client.get(preview_url).content.decode()
    result = staff_client.get(preview_url).context["result"]
    assert {(e.sheet, e.row, e.column) for e in result.errors} == {
        ("members", 2, "birth_date"),
        ("members", 3, "full_name"),
    }
    assert "chưa có gì được ghi" in page
    assert export_tables() == before


def test_a_file_that_is_not_a_spreadsheet_is_refused(staff_client):
    response = staff_client.post(reverse("hamlets:upload"), {"file": SimpleUploadedFile("notes.txt", b"hello")})
    assert response.status_code == 200
    assert "xlsx" in response.content.decode()
    # A broken workbook is refused on the upload page itself, before it is stored.
    response = staff_client.post(
        reverse("hamlets:upload"), {"file": SimpleUploadedFile("broken.xlsx", b"not a workbook")}
    )
    assert response.status_code == 200
    assert "Không đọc được tệp Excel (.xlsx): tệp hỏng hoặc không phải .xlsx." in response.content.decode()
    assert not Upload.objects.exists()


def test_the_template_is_in_vietnamese_prefilled_and_uploads_back_unchanged(staff_client):
    response = staff_client.get(reverse("hamlets:upload_template"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:5] == ["Hướng dẫn", "Xã, phường, thị trấn", "Thôn, xóm", "Chi bộ", "Đảng viên"]
    assert "Vùng đặc thù" not in workbook.sheetnames and workbook["Danh mục"].sheet_state == "hidden"
    hamlets = workbook["Thôn, xóm"]
    rows = [row for row in hamlets.iter_rows(values_only=True) if any(row)]
    assert rows[0][:4] == ("Mã", "Tên", "Mã xã", "Loại")
    assert rows[1][0].startswith("↳ ") and "bắt buộc" in rows[1][0]
    assert "chọn trong danh sách: xóm, thôn, bản, khối, tổ dân phố" in rows[1][3]
    assert {row[0] for row in rows[2:]} == {"H1", "H2", "H3"}  # the user's hamlets, not H4
    assert {row[3] for row in rows[2:]} == {"xóm", "thôn"}  # coded values in Vietnamese
    assert hamlets.freeze_panes == "B3" and hamlets.column_dimensions["B"].width >= 20
    members = workbook["Đảng viên"]
    member_rows = {row[0].value: row for row in members.iter_rows(min_row=3) if row[0].value}
    assert set(member_rows) == {"M1", "M2", "M3"}  # the branches' members are there to update
    birth = member_rows["M1"][3]
    assert birth.value.date() == datetime.date(1950, 3, 1) and birth.number_format == "DD/MM/YYYY"
    assert member_rows["M1"][2].value == "nam"
    validations = {str(v.sqref).split(":")[0]: v for v in members.data_validations.dataValidation}
    assert validations["C3"].formula1 == '"nam,nữ"'  # gender
    assert validations["D3"].type == "date"
    assert validations["G3"].formula1 == "'Danh mục'!$B$2:$B$4"  # the user's hamlets H1-H3
    assert [c.value for c in workbook["Danh mục"]["B"]][1:] == ["H1", "H2", "H3"]
    assert [c.value for c in workbook["Danh mục"]["C"]][1:] == ["B1", "B2", "B3"]
    # The template as downloaded uploads cleanly and changes nothing, and the page says so.
    preview_url = upload(staff_client, "mau.xlsx", response.content)
    page = staff_client.get(preview_url)
    result = page.context["result"]
    assert result.ok, [str(e) for e in result.errors]
    assert result.total_created == result.total_updated == 0
    html = page.content.decode()
    assert "Tệp không thay đổi gì so với dữ liệu đã lưu" in html and 'id="confirm"' not in html


def test_a_clerk_fills_the_template_in_vietnamese_and_it_imports(staff_client):
    """Headers, sheet names and coded values typed as a clerk would: labels,
    capitals and all; dates as Excel dates; a member's name changed in place."""
    response = staff_client.get(reverse("hamlets:upload_template"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    members = workbook["Đảng viên"]
    for row in members.iter_rows(min_row=3):
        if row[0].value == "M3":
            row[1].value = "Lê Hữu Nam (sửa)"
    members.append(["M9", "Hồ Thị Chín", "Nữ", datetime.date(1990, 1, 2), "Kinh", "", "H2", datetime.date(2015, 3, 4)])
    memberships = workbook["Sinh hoạt đảng"]
    memberships.append(["M9", "B2", datetime.date(2015, 3, 4), None, None, "không"])
    heads = workbook["Trưởng thôn, xóm"]
    born, start = datetime.date(1980, 1, 1), datetime.date(2016, 1, 1)
    heads.append(["VH9", "H3", "Đinh Văn Mười", "nam", born, None, None, start])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview_url = upload(staff_client, "da-dien.xlsx", buffer.getvalue())
    result = staff_client.get(preview_url).context["result"]
    assert result.ok, [str(e) for e in result.errors]
    assert staff_client.post(preview_url).status_code == 302
    added = Member.objects.get(code="M9")
    assert (added.full_name, added.gender, added.birth_date) == ("Hồ Thị Chín", "female", datetime.date(1990, 1, 2))
    assert added.memberships.get().branch.code == "B2"
    assert Member.objects.get(code="M3").full_name == "Lê Hữu Nam (sửa)"
    assert VillageHead.objects.get(code="VH9").gender == "male"


def test_a_wrong_coded_value_lists_the_choices_in_vietnamese(staff_client):
    content = (MEMBERS_HEADER + "M9,Hồ Thị Chín,đàn bà,1990-01-02,H2,2015-03-04,\n").encode()
    page = staff_client.get(upload(staff_client, "members.csv", content)).content.decode()
    assert "giá trị “đàn bà” không hợp lệ (chọn một trong: male (nam), female (nữ))." in page


def test_another_users_upload_is_not_found(client, cast):
    client.force_login(cast["staff"])
    preview_url = upload(client, "members.csv", MEMBERS_HEADER.encode())
    client.force_login(cast["commune_staff"])
    assert client.get(preview_url).status_code == 404


def test_unconfirmed_uploads_are_not_kept_for_long(staff_client):
    import datetime

    from django.utils import timezone

    from hamlets.models import Upload

    upload(staff_client, "members.csv", MEMBERS_HEADER.encode())
    Upload.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    upload(staff_client, "members.csv", MEMBERS_HEADER.encode())
    assert Upload.objects.count() == 1


def test_a_record_of_another_district_cannot_be_moved_into_ones_own(staff_client):
    import datetime

    from hamlets.models import Hamlet, VillageHead

    VillageHead.objects.create(
        code="VH-D2", hamlet=Hamlet.objects.get(code="H4"), full_name="Lê Văn Xa", term_start=datetime.date(2014, 6, 1)
    )
    header = "code,hamlet_code,full_name,term_start\n"
    preview_url = upload(staff_client, "village_heads.csv", (header + "VH-D2,H3,Lê Văn Xa,2014-06-01\n").encode())
    errors = staff_client.get(preview_url).context["result"].errors
    assert [(e.sheet, e.row) for e in errors] == [("village_heads", 2)]
    assert "C3" in errors[0].message
    staff_client.post(preview_url)
    assert VillageHead.objects.get(code="VH-D2").hamlet.code == "H4"
