"""Export, and the round trip of exchange-format.md."""

import openpyxl
import pytest

from hamlets.exchange import export_path, import_path
from hamlets.exchange.schema import SHEETS

from .conftest import DEMO

pytestmark = pytest.mark.django_db


def wipe():
    """Empty every registry table, as a fresh database would be."""
    for sheet in reversed(SHEETS):
        for field in sheet.model._meta.many_to_many:
            field.remote_field.through.objects.all().delete()
        sheet.model.objects.all().delete()


def read_folder(path):
    return {p.name: p.read_bytes() for p in sorted(path.glob("*.csv"))}


def test_demo_round_trip_is_byte_identical(tmp_path):
    assert import_path(DEMO).ok
    export_path(tmp_path / "first")
    wipe()
    result = import_path(tmp_path / "first")
    assert result.ok, result.errors[:3]
    export_path(tmp_path / "second")
    first, second = read_folder(tmp_path / "first"), read_folder(tmp_path / "second")
    assert sorted(first) == sorted(f"{s.name}.csv" for s in SHEETS)
    assert first == second
    # The shipped fixture is itself an export of the demo data.
    assert first == read_folder(DEMO)


def test_export_writes_every_sheet_sorted_with_written_forms(tmp_path):
    assert import_path(DEMO).ok
    export_path(tmp_path / "out")
    memberships = (tmp_path / "out" / "memberships.csv").read_text(encoding="utf-8-sig").splitlines()
    assert memberships[0] == "member_code,branch_code,joined_on,left_on,left_reason,reinforcing"
    keys = [tuple(line.split(",")[:3]) for line in memberships[1:]]
    assert keys == sorted(keys)
    assert {line.split(",")[5] for line in memberships[1:]} == {"true", "false"}


def test_xlsx_export_reimports_to_the_same_data(tmp_path):
    assert import_path(DEMO).ok
    export_path(tmp_path / "first")
    export_path(tmp_path / "all.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "all.xlsx", read_only=True)
    assert workbook.sheetnames == [s.name for s in SHEETS]
    assert next(workbook["members"].iter_rows(values_only=True))[1] == "full_name"
    workbook.close()
    wipe()
    assert import_path(tmp_path / "all.xlsx").ok
    export_path(tmp_path / "second")
    assert read_folder(tmp_path / "first") == read_folder(tmp_path / "second")


def test_the_fast_bulk_path_writes_the_same_records_and_history(tmp_path, monkeypatch, django_user_model):
    """Every table written by COPY (on PostgreSQL; the ORM elsewhere), as a
    whole-province import is: the same export, the same history, working ids."""
    from hamlets.exchange import bulk, import_sheets
    from hamlets.exchange.files import read_path
    from hamlets.models import Member

    monkeypatch.setattr(bulk, "COPY_FROM", 1)
    user = django_user_model.objects.create(username="nhap_lieu")
    result = import_sheets(read_path(DEMO), user=user, reason="Nhập cả tỉnh")
    assert result.ok, result.errors[:3]
    export_path(tmp_path / "out")
    assert read_folder(tmp_path / "out") == read_folder(DEMO)
    member = Member.objects.get(code=Member.objects.order_by("code").values_list("code", flat=True)[0])
    entry = member.history.get()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == ("+", user, "Nhập cả tỉnh")
    assert (entry.full_name, entry.name_folded, entry.name_sort) == (
        member.full_name,
        member.name_folded,
        member.name_sort,
    )
    assert member.name_folded and member.name_sort.endswith(member.name_sort.split("000")[-1])
    assert member.memberships.exists()  # the references point at the new ids
    # The sequences moved past the ids taken: an ordinary save gets a fresh id.
    clone = Member.objects.create(
        code="NEW-1",
        full_name="Nguyễn Văn Mới",
        gender="male",
        birth_date=member.birth_date,
        admitted_on=member.admitted_on,
    )
    assert clone.pk > Member.objects.exclude(pk=clone.pk).order_by("-pk").first().pk
    assert Member.objects.filter(name_folded__contains="nguyen van moi").exists()
