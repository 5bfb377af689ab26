"""Reorganisation events: each kind applied (figures before the date unchanged,
after it on the new units) and undone (a full export byte for byte)."""

import datetime

import pytest

from hamlets import reorganise
from hamlets.exchange import export_path
from hamlets.models import (
    Branch,
    BranchSecretary,
    Commune,
    Hamlet,
    Member,
    Membership,
    ParentChange,
    Reorganisation,
    VillageHead,
)
from reports.indicators import compute, get_unit

from . import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
MERGER = D(2019, 7, 12)


def ratio(result, key):
    figure = result["indicators"][key]
    return figure["numerator"], figure["denominator"]


@pytest.fixture
def world():
    """District QL with communes A (xóm 6, 7, 8) and B (xóm 9); a branch per
    hamlet, residents, a secretary in xóm 6's branch, a head in xóm 6."""
    district = f.district(code="QL", name="Quỳnh Lưu")
    a = f.commune(district, code="A", name="Xã A")
    b = f.commune(district, code="B", name="Xã B")
    hamlets = {
        "H6": f.hamlet(a, code="H6", name="Xóm 6", areas=["coastal"]),
        "H7": f.hamlet(a, code="H7", name="Xóm 7"),
        "H8": f.hamlet(a, code="H8", name="Xóm 8"),
        "H9": f.hamlet(b, code="H9", name="Xóm 9"),
    }
    branches, people = {}, {}
    for index, (hamlet_code, count) in enumerate((("H6", 3), ("H7", 4), ("H8", 4), ("H9", 3))):
        hamlet = hamlets[hamlet_code]
        branch = f.branch(hamlet.commune, [hamlet], code=f"B{hamlet_code[1:]}")
        branches[hamlet_code] = branch
        people[hamlet_code] = f.members_in(branch, count, residence=hamlet, admitted_on=D(1990 + index, 1, 1))
    f.secretary(branches["H6"], people["H6"][0])
    f.head(hamlets["H6"], member=people["H6"][1])
    return {"district": district, "a": a, "b": b, "hamlets": hamlets, "branches": branches, "people": people}


def event(kind, level, content, code="E1", effective_on=MERGER):
    return Reorganisation.objects.create(
        code=code,
        kind=kind,
        level=level,
        effective_on=effective_on,
        act_number="08/NQ-HĐND",
        act_date=D(2019, 7, 12),
        act_issuer="HĐND tỉnh Nghệ An",
        content=content,
    )


def figures(kind, code, day):
    return compute(get_unit(kind, code), day, by_child=True)


def export(tmp_path, name):
    export_path(tmp_path / name)
    return {p.name: p.read_bytes() for p in sorted((tmp_path / name).glob("*.csv"))}


BEFORE, AFTER = MERGER - datetime.timedelta(days=1), MERGER + datetime.timedelta(days=1)


def test_hamlet_merge_applied_then_undone(world, tmp_path):
    old = {day: figures("commune", "A", day) for day in (BEFORE, MERGER)}
    secretary = world["people"]["H7"][0]
    merge = event(
        "merge",
        "hamlet",
        {
            "from": ["H6", "H7"],
            "to": [{"code": "H3", "name": "Xóm 3", "kind": "xom"}],
            "branches": {"H3": {"code": "B3", "name": "Chi bộ xóm 3", "secretary": secretary.code}},
        },
    )
    original = export(tmp_path, "before")  # the event entered, not applied
    lines = reorganise.preview(merge)
    assert "Thành lập Xóm 3 (mã H3)." in lines
    assert not Hamlet.objects.filter(code="H3").exists()  # the preview wrote nothing

    reorganise.apply(merge)

    # Before the date: nothing changed.
    assert figures("commune", "A", BEFORE) == old[BEFORE]
    # From the date: xóm 3 replaces xóm 6 and 7; its branch has their 7 members.
    now = figures("commune", "A", MERGER)
    assert ratio(now, "hamlets_without_branch") == (0, 2)
    assert ratio(now, "hamlets_without_resident_members") == (0, 2)
    # The head's term ended on the date.
    assert ratio(now, "village_heads_party_members")[0] == 0
    assert ratio(old[MERGER], "village_heads_party_members")[0] == 1
    new_hamlet = Hamlet.objects.get(code="H3")
    assert list(new_hamlet.area_types.values_list("code", flat=True)) == ["coastal"]
    branch = Branch.objects.get(code="B3")
    assert Membership.objects.active_on(MERGER).filter(branch=branch).count() == 7
    transferred = Membership.objects.filter(branch__code__in=["B6", "B7"], left_on=MERGER, left_reason="transferred")
    assert transferred.count() == 7
    term = BranchSecretary.objects.get(branch=branch)
    assert (term.member, term.interim, term.start_on) == (secretary, True, MERGER)
    assert BranchSecretary.objects.get(branch__code="B6").end_on == MERGER
    assert Member.objects.filter(residence_hamlet=new_hamlet).count() == 7
    assert Hamlet.objects.get(code="H6").dissolved_on == MERGER

    reorganise.undo(merge)
    assert export(tmp_path, "after") == original
    assert Reorganisation.objects.get(pk=merge.pk).status == "planned"
    assert not ParentChange.objects.exists()
    # Undone, it can be applied again.
    reorganise.apply(merge)
    assert Hamlet.objects.get(code="H3").established_on == MERGER


def test_hamlet_split_with_shares_and_a_named_resident(world, tmp_path):
    people = world["people"]["H8"]
    split = event(
        "split",
        "hamlet",
        {
            "from": ["H8"],
            "to": [
                {"code": "H8A", "name": "Xóm 8A", "share": 120},
                {"code": "H8B", "name": "Xóm 8B", "share": 80},
            ],
            "residents": {people[0].code: "H8B"},
        },
    )
    original = export(tmp_path, "before")  # the event entered, not applied
    old_before = figures("commune", "A", BEFORE)
    reorganise.apply(split)
    assert figures("commune", "A", BEFORE) == old_before
    a, b = Branch.objects.get(code="CB-H8A"), Branch.objects.get(code="CB-H8B")
    assert Membership.objects.active_on(MERGER).filter(branch=a).count() == 3  # the largest share
    assert list(Membership.objects.active_on(MERGER).filter(branch=b).values_list("member__code", flat=True)) == [
        people[0].code
    ]
    now = figures("commune", "A", MERGER)
    assert ratio(now, "hamlets_without_branch") == (0, 4)
    reorganise.undo(split)
    assert export(tmp_path, "after") == original


def test_hamlet_move_keeps_history_and_moves_scope(world, tmp_path):
    move = event("move", "hamlet", {"from": ["H8"], "into": "B"})
    original = export(tmp_path, "before")  # the event entered, not applied
    reorganise.apply(move)
    hamlet = Hamlet.objects.get(code="H8")
    assert hamlet.commune.code == "B"
    assert Branch.objects.get(code="B8").commune.code == "B"
    # As they were: before the date xóm 8 counts in A, from it in B.
    assert ratio(figures("commune", "A", BEFORE), "hamlets_without_branch") == (0, 3)
    assert ratio(figures("commune", "B", BEFORE), "hamlets_without_branch") == (0, 1)
    assert ratio(figures("commune", "A", AFTER), "hamlets_without_branch") == (0, 2)
    assert ratio(figures("commune", "B", AFTER), "hamlets_without_branch") == (0, 2)
    members_b = figures("commune", "B", AFTER)["indicators"]["members_elderly"]["denominator"]
    assert members_b == 7
    # The district total never moved.
    assert figures("district", "QL", AFTER)["indicators"] == figures("district", "QL", AFTER)["indicators"]
    reorganise.undo(move)
    assert export(tmp_path, "after") == original


def test_hamlet_move_refused_when_a_branch_also_serves_a_staying_hamlet(world):
    hamlets = [world["hamlets"]["H7"], world["hamlets"]["H8"]]
    joint = f.branch(world["a"], hamlets, code="BJ", established_on=D(2001, 1, 1))
    joint.dissolved_on = D(2005, 1, 1)
    joint.save()
    move = event("move", "hamlet", {"from": ["H8"], "into": "B"})
    with pytest.raises(reorganise.Refused, match="BJ"):
        reorganise.apply(move)
    assert Hamlet.objects.get(code="H8").commune.code == "A"
    assert not ParentChange.objects.exists()


def test_commune_merge_and_district_abolition(world, tmp_path):
    july = D(2025, 7, 1)
    district_before = figures("district", "QL", july - datetime.timedelta(days=1))
    merge = event(
        "merge",
        "commune",
        {"from": ["A", "B"], "to": [{"code": "AB", "name": "Xã Mới"}], "into": "QL"},
        effective_on=july,
    )
    abolish = event("dissolve", "district", {"from": ["QL"]}, code="E2", effective_on=july)
    original = export(tmp_path, "before")  # the events entered, not applied
    reorganise.apply(merge)
    reorganise.apply(abolish)
    new = Commune.objects.get(code="AB")
    assert new.district is None
    assert Hamlet.objects.filter(commune=new).count() == 4
    # Before: two communes in the district, figures unchanged.
    assert figures("district", "QL", july - datetime.timedelta(days=1)) == district_before
    assert [c["unit"]["code"] for c in district_before["children"]] == ["A", "B"]
    # After: the province's child is the new commune, directly; same hamlets.
    province = figures("province", "all", july)
    assert [c["unit"]["code"] for c in province["children"]] == ["AB"]
    assert ratio(province, "hamlets_without_branch") == (0, 4)
    # Undo in reverse order; the first undo of the merge is refused while the abolition depends on it.
    with pytest.raises(reorganise.Refused):
        reorganise.undo(merge)
    reorganise.undo(abolish)
    reorganise.undo(merge)
    assert export(tmp_path, "after") == original


def test_rename_keeps_the_former_name_for_search(world):
    rename = event("rename", "hamlet", {"from": ["H9"], "name": "Xóm Đồng Tâm"})
    reorganise.apply(rename)
    assert Hamlet.objects.get(code="H9").name == "Xóm Đồng Tâm"
    assert list(Hamlet.objects.search("xom 9").values_list("code", flat=True)) == ["H9"]


def test_a_broken_rule_refuses_the_whole_event(world):
    # A head whose term starts after the merger date cannot be ended on it.
    f.head(world["hamlets"]["H7"], term_start=D(2020, 1, 1), code="V-LATE")
    merge = event("merge", "hamlet", {"from": ["H6", "H7"], "to": [{"code": "H3", "name": "Xóm 3"}]})
    with pytest.raises(reorganise.Refused, match="V-LATE"):
        reorganise.apply(merge)
    assert not Hamlet.objects.filter(code="H3").exists()
    assert Membership.objects.filter(left_on=MERGER).count() == 0
    assert Reorganisation.objects.get(pk=merge.pk).status == "planned"


def test_a_planned_event_waits_for_its_date(world):
    future = event("rename", "hamlet", {"from": ["H9"], "name": "Xóm Mới"}, effective_on=D(2099, 1, 1))
    with pytest.raises(reorganise.Refused, match="01/01/2099"):
        reorganise.apply(future)


def test_undo_refused_when_a_later_record_depends_on_the_event(world):
    merge = event("merge", "hamlet", {"from": ["H6", "H7"], "to": [{"code": "H3", "name": "Xóm 3"}]})
    reorganise.apply(merge)
    f.head(Hamlet.objects.get(code="H3"), term_start=D(2020, 1, 1), code="V-NEW")
    with pytest.raises(reorganise.Refused, match="V-NEW"):
        reorganise.undo(merge)
    assert VillageHead.objects.filter(code="V-NEW").exists()
    assert Hamlet.objects.filter(code="H3").exists()


def restated(kind, code, day):
    return compute(get_unit(kind, code), day, by_child=True, restated=True)


def test_restated_figures_follow_the_lineage_to_todays_communes(world):
    """Merge xóm 6 + 7 into xóm 3 (2019), split xóm 8 into a new xóm 8A
    (120 households) and a part joining xóm 9 of commune B (80), then move
    xóm 3 to commune B (2021). Restated on today's communes, the 2018 records
    of xóm 6 and 7 belong to B; xóm 8's to A (its largest share)."""
    h8_people = world["people"]["H8"]
    reorganise.apply(event("merge", "hamlet", {"from": ["H6", "H7"], "to": [{"code": "H3", "name": "Xóm 3"}]}))
    reorganise.apply(
        event(
            "split",
            "hamlet",
            {
                "from": ["H8"],
                "to": [{"code": "H8A", "name": "Xóm 8A", "share": 120}, {"code": "H9", "share": 80}],
                "residents": {h8_people[0].code: "H9"},
            },
            code="E2",
            effective_on=D(2020, 1, 1),
        )
    )
    reorganise.apply(event("move", "hamlet", {"from": ["H3"], "into": "B"}, code="E3", effective_on=D(2021, 1, 1)))
    past = D(2018, 12, 31)
    as_they_were = figures("district", "QL", past)
    again = restated("district", "QL", past)
    # Whole-unit totals never change by restating.
    assert as_they_were["indicators"] == again["indicators"]
    assert as_they_were["unit"] == again["unit"]
    by_code = {c["unit"]["code"]: c["indicators"] for c in again["children"]}
    old = {c["unit"]["code"]: c["indicators"] for c in as_they_were["children"]}
    # As they were: A had xóm 6, 7, 8 (11 members), B xóm 9 (3).
    assert ratio({"indicators": old["A"]}, "hamlets_without_branch") == (0, 3)
    assert old["A"]["members_elderly"]["denominator"] == 11
    # Restated by hand: B = xóm 6, 7 (now xóm 3, in B) + xóm 9; A = xóm 8 (now xóm 8A).
    assert by_code["B"]["hamlets_without_branch"]["denominator"] == 3
    assert by_code["B"]["members_elderly"]["denominator"] == 3 + 4 + 3
    assert by_code["A"]["hamlets_without_branch"]["denominator"] == 1
    assert by_code["A"]["members_elderly"]["denominator"] == 4
    # After the split, the named resident counts where she was transferred.
    later = restated("commune", "B", D(2020, 6, 1))
    assert later["indicators"]["members_elderly"]["denominator"] == 3 + 4 + 3 + 1
    # A commune's restated figure through the command's option gives the same JSON shape.
    assert set(later) == set(figures("commune", "B", D(2020, 6, 1)))


def write_events(folder, rows):
    import csv

    folder.mkdir()
    with open(folder / "reorganisations.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["code", "level", "kind", "effective_on", "act_number", "act_date", "act_issuer", "status", "content"]
        )
        writer.writerows(rows)


def test_import_data_applies_the_events_of_a_file(world, tmp_path):
    from django.core.management import call_command

    content = '{"from":["H6","H7"],"to":[{"code":"H3","name":"Xóm 3","share":215}]}'
    write_events(
        tmp_path / "in",
        [["NQ08", "hamlet", "merge", "12/07/2019", "08/NQ-HĐND", "2019-07-12", "HĐND tỉnh", "planned", content]],
    )
    call_command("import_data", str(tmp_path / "in"), "--apply-events")
    assert Reorganisation.objects.get(code="NQ08").status == "applied"
    assert Hamlet.objects.get(code="H3").established_on == MERGER


def test_import_data_refused_event_writes_nothing(world, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    content = '{"from":["H6","NOPE"],"to":[{"code":"H3","name":"Xóm 3"}]}'
    write_events(
        tmp_path / "in",
        [["BAD", "hamlet", "merge", "2019-07-12", "08/NQ-HĐND", "2019-07-12", "HĐND tỉnh", "planned", content]],
    )
    with pytest.raises(CommandError, match="NOPE"):
        call_command("import_data", str(tmp_path / "in"), "--apply-events")
    assert not Reorganisation.objects.filter(code="BAD").exists()


def test_a_bad_content_cell_is_located(world, tmp_path):
    from hamlets.exchange import import_path

    write_events(
        tmp_path / "in",
        [["X1", "hamlet", "merge", "2019-07-12", "08/NQ-HĐND", "2019-07-12", "HĐND tỉnh", "planned", "{from: H6"]],
    )
    result = import_path(tmp_path / "in")
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [("reorganisations", 2, "content")]


def test_a_unit_dissolved_without_successor_still_counts_in_the_restated_province(world):
    # Xóm 9's branch moves away first, so the hamlet can be dissolved with nobody left in it.
    for membership in Membership.objects.filter(branch__code="B9"):
        membership.left_on, membership.left_reason = D(2019, 1, 1), "transferred"
        membership.save()
    reorganise.apply(event("dissolve", "hamlet", {"from": ["H9"]}))
    reorganise.apply(event("dissolve", "commune", {"from": ["B"]}, code="E2"))
    past = D(2018, 6, 30)
    assert restated("province", "all", past)["indicators"] == figures("province", "all", past)["indicators"]


@pytest.mark.parametrize(
    ("kind", "level", "content"),
    [
        ("establish", "hamlet", {"to": [{"code": "H10", "name": "Xóm 10"}], "into": "B"}),
        ("rename", "hamlet", {"from": ["H9"], "name": "Xóm Đồng Tâm"}),
        ("establish", "commune", {"to": [{"code": "C9", "name": "Xã Chín"}], "into": "QL"}),
        ("move", "commune", {"from": ["B"], "into": ""}),
        ("rename", "district", {"from": ["QL"], "name": "Thị xã Quỳnh Lưu"}),
    ],
)
def test_every_kind_keeps_the_past_and_undoes_byte_for_byte(world, tmp_path, kind, level, content):
    change = event(kind, level, content)
    original = export(tmp_path, "before")
    past = {unit: figures(*unit, BEFORE) for unit in (("commune", "A"), ("commune", "B"), ("district", "QL"))}
    reorganise.apply(change)
    for unit, result in past.items():
        assert figures(*unit, BEFORE)["indicators"] == result["indicators"], unit
    reorganise.undo(change)
    assert export(tmp_path, "after") == original


def test_a_commune_leaving_its_district_counts_there_before_the_date_only(world):
    reorganise.apply(event("move", "commune", {"from": ["B"], "into": ""}))
    assert [c["unit"]["code"] for c in figures("district", "QL", BEFORE)["children"]] == ["A", "B"]
    assert [c["unit"]["code"] for c in figures("district", "QL", AFTER)["children"]] == ["A"]
    province = figures("province", "all", AFTER)
    assert [c["unit"]["code"] for c in province["children"]] == ["QL", "B"]


def test_a_dissolved_hamlet_must_be_empty_first(world):
    with pytest.raises(reorganise.Refused, match="chuyển sinh hoạt trước"):
        reorganise.apply(event("dissolve", "hamlet", {"from": ["H9"]}))


def test_apply_reorganisations_applies_the_due_events_only(world, capsys):
    from django.core.management import call_command

    due = event("rename", "hamlet", {"from": ["H9"], "name": "Xóm Đồng Tâm"}, code="DUE")
    later = event(
        "rename", "hamlet", {"from": ["H8"], "name": "Xóm Tương Lai"}, code="LATER", effective_on=D(2099, 1, 1)
    )
    call_command("apply_reorganisations", "--dry-run")
    assert Reorganisation.objects.get(pk=due.pk).status == "planned"
    call_command("apply_reorganisations")
    assert Reorganisation.objects.get(pk=due.pk).status == "applied"
    assert Reorganisation.objects.get(pk=later.pk).status == "planned"
    assert "Đổi tên Xóm 9 thành Xóm Đồng Tâm." in capsys.readouterr().out
