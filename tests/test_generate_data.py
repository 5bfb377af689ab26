"""The benchmark generator writes valid, reproducible data."""

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition

from hamlets.exchange import import_path
from hamlets.management.commands.generate_data import generate
from hamlets.models import Member

pytestmark = pytest.mark.django_db


def test_same_seed_same_data_and_it_imports(tmp_path):
    from django.core.management import call_command

    call_command(
        "generate_data",
        str(tmp_path / "a"),
        "--communes=3",
        "--hamlets=25",
        "--branches=27",
        "--members=400",
        "--seed=7",
    )
    call_command(
        "generate_data",
        str(tmp_path / "b"),
        "--communes=3",
        "--hamlets=25",
        "--branches=27",
        "--members=400",
        "--seed=7",
    )
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
    result = import_path(tmp_path / "a")
    assert result.ok, result.errors[:3]
    assert Member.objects.count() == 400


def test_a_different_seed_gives_different_data():
    one = generate(seed=1, communes=2, hamlets=10, branches=11, members=50)
    two = generate(seed=2, communes=2, hamlets=10, branches=11, members=50)
    assert one["members"] != two["members"]


def test_a_national_set_is_written_and_imported_part_by_part(tmp_path, capsys):
    """34 provinces since 1/7/2025 (63 before, 23 mergers), one folder per
    province; import_data takes the folder of folders part by part, and a
    second run adds nothing."""
    import datetime

    from django.core.management import call_command

    from hamlets.models import Commune, Province, Reorganisation
    from reports.indicators import child_units, compute, get_unit

    call_command("generate_data", str(tmp_path / "nat"), "--national", "--scale=0.001", "--seed=3")
    parts = sorted(p.name for p in (tmp_path / "nat").iterdir())
    assert len(parts) == 35 and parts[0] == "00-nation" and parts[9] == "09-NA"
    capsys.readouterr()
    call_command("import_data", str(tmp_path / "nat"), "-v0")
    printed = capsys.readouterr().out
    assert "Phần 35/35: 34-AG" in printed
    day = datetime.date(2026, 6, 30)
    assert Province.objects.count() == 63
    assert Province.objects.active_on(day).count() == 34
    assert Reorganisation.objects.filter(level="province", status="applied").count() == 23
    assert Member.objects.count() == 5_600
    assert Commune.objects.filter(province__isnull=True).count() == 0
    nation = get_unit("province", "all")
    children = child_units(nation, day)
    assert [unit.kind for unit, _communes in children] == ["province"] * 34
    # The provinces add up to the nation, and a province's merged predecessors are its lineage.
    result = compute(nation, day, by_child=True)
    for key in ("hamlets_without_branch", "members_elderly", "branches_at_risk"):
        assert (
            sum(c["indicators"][key]["denominator"] for c in result["children"])
            == (result["indicators"][key]["denominator"])
        )
    assert Province.objects.get(code="HG").dissolved_on == datetime.date(2025, 7, 1)
    call_command("import_data", str(tmp_path / "nat"), "-v0")
    assert "thêm 0, cập nhật 0 bản ghi" in capsys.readouterr().out
    assert Member.objects.count() == 5_600


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="processes sharing one database")
@pytest.mark.django_db(transaction=True)
def test_parts_imported_two_at_a_time_and_a_refused_part_named(tmp_path, capsys):
    """import_data --jobs 2: every part in a process of its own; a part with
    an error is not written, no part starts after it, the others stay."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from hamlets.models import Commune

    call_command("generate_data", str(tmp_path / "nat"), "--national", "--scale=0.001", "--seed=3")
    members = tmp_path / "nat" / "05-SL" / "members.csv"
    text = members.read_text(encoding="utf-8-sig").splitlines()
    text[1] = text[1].replace(",male,", ",robot,").replace(",female,", ",robot,")  # a gender the format lacks
    members.write_text("\n".join(text) + "\n", encoding="utf-8-sig")
    with pytest.raises(CommandError, match="05-SL"):
        call_command("import_data", str(tmp_path / "nat"), "--jobs=2", "-v0")
    assert "members" in capsys.readouterr().err  # the error, located
    imported = set(Commune.objects.values_list("province__code", flat=True))
    # Parts 01-04 were done before 05 ended; 06 and 07 may have run beside it; none after.
    assert {"HN", "HUE", "LCH", "DB"} <= imported <= {"HN", "HUE", "LCH", "DB", "LS", "QNI"}
    members.write_text("\n".join(text).replace(",robot,", ",male,") + "\n", encoding="utf-8-sig")
    call_command("import_data", str(tmp_path / "nat"), "--jobs=2", "-v0")
    assert Member.objects.count() == 5_600
