"""Provinces as units: a national installation's breakdown, a province's own
figures and scope, the 2025 province mergers, and one-province installations
left exactly as they were."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied

from hamlets import reorganise
from hamlets.models import Commune, ParentChange, Province, Reorganisation
from reports import summaries
from reports.indicators import child_units, compute, get_unit, parse_unit
from reports.models import CommuneVersion, MonthlySummary

from . import factories as f
from .conftest import make_user

pytestmark = pytest.mark.django_db
D = datetime.date
JULY = D(2025, 7, 1)
BEFORE = JULY - datetime.timedelta(days=1)


def ratio(result, key):
    figure = result["indicators"][key]
    return figure["numerator"], figure["denominator"]


@pytest.fixture
def country():
    """Two provinces: NA (district QL: communes A with two hamlets, B with one
    hamlet and no branch) and HT (district HK: commune C with one hamlet)."""
    na = Province.objects.create(code="NA", name="Nghệ An")
    ht = Province.objects.create(code="HT", name="Hà Tĩnh")
    ql, hk = f.district(code="QL", name="Quỳnh Lưu"), f.district(code="HK", name="Hồng Lĩnh")
    a = f.commune(ql, code="A", name="Xã A", province=na)
    b = f.commune(ql, code="B", name="Xã B", province=na)
    c = f.commune(hk, code="C", name="Xã C", province=ht)
    h1, h2 = f.hamlet(a, code="H1", name="Xóm 1"), f.hamlet(a, code="H2", name="Xóm 2")
    h3, h4 = f.hamlet(b, code="H3", name="Xóm 3"), f.hamlet(c, code="H4", name="Xóm Bốn")
    f.members_in(f.branch(a, [h1], code="B1"), 3, residence=h1)
    f.members_in(f.branch(a, [h2], code="B2"), 2, residence=h2)
    f.members_in(f.branch(c, [h4], code="B4"), 4, residence=h4, full_name="Võ Thị Lan")
    return {"na": na, "ht": ht, "a": a, "b": b, "c": c, "h3": h3, "h4": h4}


def province_user(username, role, province):
    user = make_user(username, role)
    user.profile.province = Province.objects.get(code=province)
    user.profile.save()
    return user


def codes(result):
    return [child["unit"]["code"] for child in result["children"]]


# --- figures -----------------------------------------------------------------------------------


def test_a_national_installation_breaks_down_by_province(country):
    day = D(2026, 1, 1)
    nation = compute(get_unit("province", "all"), day, by_child=True)
    assert nation["unit"]["name"] == "Toàn quốc"
    assert codes(nation) == ["HT", "NA"]
    assert [ratio(child, "hamlets_without_branch") for child in nation["children"]] == [(0, 1), (1, 3)]
    assert ratio(nation, "hamlets_without_branch") == (1, 4)
    # A province's children are its districts, then its communes.
    na = compute(parse_unit("province:NA"), day, by_child=True)
    assert na["unit"] == {"kind": "province", "code": "NA", "name": "Nghệ An"}
    assert codes(na) == ["QL"]
    assert ratio(na, "hamlets_without_branch") == (1, 3)
    assert ratio(compute(get_unit("province", "HT"), day), "hamlets_without_branch") == (0, 1)


def test_the_api_and_the_command_take_a_province(country, client, capsys):
    import json

    from django.core.management import call_command

    client.force_login(make_user("viewer", "provincial_viewer"))
    response = client.get("/api/v1/indicators", {"unit": "province:HT", "as_of": "2026-01-01", "by_child": "1"})
    assert response.status_code == 200
    assert response.json()["indicators"]["hamlets_without_branch"]["denominator"] == 1
    assert [c["unit"]["code"] for c in response.json()["children"]] == ["HK"]
    assert client.get("/api/v1/indicators", {"unit": "province:XX"}).status_code == 400
    call_command("indicators", "--unit", "province:NA", "--as-of", "2026-01-01")
    printed = json.loads(capsys.readouterr().out)
    assert printed["indicators"]["hamlets_without_branch"] == {"numerator": 1, "denominator": 3, "ratio": 0.3333}


def test_the_national_dashboard_lists_provinces(country, client):
    client.force_login(make_user("viewer", "provincial_viewer"))
    page = client.get("/dashboard/province/all/?as_of=01/01/2026").content.decode()
    assert "Theo tỉnh" in page
    assert 'href="/dashboard/province/NA/' in page and "Nghệ An" in page
    page = client.get("/dashboard/province/NA/?as_of=01/01/2026").content.decode()
    assert "Bảng số liệu: Nghệ An" in page
    assert "Theo huyện và xã" in page and "Quỳnh Lưu" in page


def test_the_commune_list_filters_by_province_on_its_date(country, client):
    client.force_login(make_user("viewer", "provincial_viewer"))
    page = client.get("/communes/", {"province": country["ht"].pk}).content.decode()
    assert 'name="province"' in page
    assert "Xã C" in page and "Xã A" not in page
    reorganise.apply(merger())
    # Before the merger C was in Hà Tĩnh; after it, in the new province.
    before = client.get("/communes/", {"province": country["ht"].pk, "active_on": "30/06/2025"}).content.decode()
    assert "Xã C" in before
    after = client.get("/communes/", {"province": country["ht"].pk, "active_on": "01/07/2025"}).content.decode()
    assert "Xã C" not in after


def test_the_lists_filter_by_province_and_offer_communes_once_one_is_chosen(country, client, monkeypatch):
    """A country's 3,321 communes are not one drop-down: beyond
    COMMUNE_CHOICES_LIMIT a province is chosen first, then its communes."""
    from hamlets.filters import ScopedFilterSet

    client.force_login(make_user("viewer", "provincial_viewer"))
    page = client.get("/members/").content.decode()
    assert 'name="province"' in page and ">Hà Tĩnh</option>" in page and ">Nghệ An</option>" in page
    assert ">Xã C</option>" in page  # three communes: all offered
    monkeypatch.setattr(ScopedFilterSet, "COMMUNE_CHOICES_LIMIT", 2)
    page = client.get("/members/").content.decode()
    assert "— chọn tỉnh trước —" in page and ">Xã C</option>" not in page
    page = client.get("/members/", {"province": country["ht"].pk}).content.decode()
    assert ">Xã C</option>" in page and ">Xã A</option>" not in page
    assert "Võ Thị Lan" in page and "Nguyễn Văn A" not in page
    # A commune asked for directly stays valid without a province.
    assert "Võ Thị Lan" in client.get("/members/", {"commune": country["c"].pk}).content.decode()
    hamlets = client.get("/hamlets/", {"province": country["na"].pk}).content.decode()
    assert "Xóm 3" in hamlets and "Xóm Bốn" not in hamlets
    branches = client.get("/branches/", {"province": country["ht"].pk}).content.decode()
    assert ">B4<" in branches and ">B1<" not in branches


def test_a_hamlet_is_listed_under_the_province_of_its_commune_on_the_lists_date(country, client):
    client.force_login(make_user("viewer", "provincial_viewer"))
    reorganise.apply(merger())
    ht = {"province": country["ht"].pk}
    assert "Xóm Bốn" in client.get("/hamlets/", {**ht, "active_on": "30/06/2025"}).content.decode()
    assert "Xóm Bốn" not in client.get("/hamlets/", {**ht, "active_on": "01/07/2025"}).content.decode()
    new = Province.objects.get(code="NA2").pk
    assert "Xóm Bốn" in client.get("/hamlets/", {"province": new, "active_on": "01/07/2025"}).content.decode()


def test_a_provinces_own_staff_get_no_province_filter(country, client):
    client.force_login(province_user("viewer_ht", "provincial_viewer", "HT"))
    page = client.get("/members/").content.decode()
    assert 'name="province"' not in page and ">Xã C</option>" in page


# --- the 2025 mergers -------------------------------------------------------------------------------


def event(code, kind, level, content):
    """An event of 1/7/2025, entered (not applied)."""
    return Reorganisation.objects.create(
        code=code,
        kind=kind,
        level=level,
        effective_on=JULY,
        act_number="202/2025/QH15",
        act_date=D(2025, 6, 12),
        act_issuer="Quốc hội",
        content=content,
    )


def merger(code="E1"):
    return event(code, "merge", "province", {"from": ["NA", "HT"], "to": [{"code": "NA2", "name": "Nghệ An mới"}]})


def test_a_province_merger_keeps_each_predecessors_past(country, django_capture_on_commit_callbacks):
    event = merger()
    versions_before = dict(CommuneVersion.objects.values_list("commune_id", "version"))
    with django_capture_on_commit_callbacks(execute=True):
        lines = reorganise.apply(event)
    assert any("Chuyển 2 xã của Nghệ An về Nghệ An mới" in line for line in lines)
    new = Province.objects.get(code="NA2")
    assert set(Commune.objects.filter(province=new).values_list("code", flat=True)) == {"A", "B", "C"}
    assert ParentChange.objects.filter(old_province__isnull=False).count() == 3
    # Exactly the three moved communes were refreshed.
    after = dict(CommuneVersion.objects.values_list("commune_id", "version"))
    changed = {pk for pk in after if after[pk] != versions_before.get(pk)}
    assert changed == {country["a"].pk, country["b"].pk, country["c"].pk}
    # Before the date each province has its own communes; after it the new one has all.
    assert codes(compute(get_unit("province", "all"), BEFORE, by_child=True)) == ["HT", "NA"]
    assert ratio(compute(get_unit("province", "NA"), BEFORE), "hamlets_without_branch") == (1, 3)
    assert codes(compute(get_unit("province", "all"), JULY, by_child=True)) == ["NA2"]
    assert ratio(compute(get_unit("province", "NA2"), JULY), "hamlets_without_branch") == (1, 4)
    assert ratio(compute(get_unit("province", "NA"), JULY), "hamlets_without_branch") == (0, 0)
    # The merged province's page names where it came from.
    from reports.dashboards import unit_lineage

    lineage = unit_lineage(get_unit("province", "NA2"))
    assert sorted(other[0] for _event, other, _link in lineage.came_from) == ["Hà Tĩnh", "Nghệ An"]
    # Undo restores everything.
    reorganise.undo(event)
    assert not Province.objects.filter(code="NA2").exists()
    assert Commune.objects.get(code="C").province == country["ht"]
    assert not ParentChange.objects.exists()


def test_a_province_with_communes_is_merged_not_dissolved(country):
    event = merger()
    event.kind, event.content = "dissolve", {"from": ["HT"]}
    event.save()
    with pytest.raises(reorganise.Refused, match="còn 1 xã"):
        reorganise.apply(event)


def test_a_commune_changing_district_and_province_on_one_day(country):
    """1/7/2025: district abolished and provinces merged on the same day; each
    dated parent is read from its own changes."""
    reorganise.apply(merger())
    reorganise.apply(event("E2", "dissolve", "district", {"from": ["QL"]}))
    from hamlets.placement import district_of_communes, province_of_communes

    a = country["a"].pk
    assert (
        district_of_communes([a], BEFORE)[a]
        == Commune.objects.get(code="A").moves.get(old_province__isnull=True).old_district_id
    )
    assert district_of_communes([a], JULY)[a] is None
    assert province_of_communes([a], BEFORE)[a] == country["na"].pk
    assert province_of_communes([a], JULY)[a] == Province.objects.get(code="NA2").pk


# --- scope -----------------------------------------------------------------------------------------


def test_a_provinces_officials_see_that_province_only(country, client):
    viewer = province_user("viewer_ht", "provincial_viewer", "HT")
    client.force_login(viewer)
    # Their dashboard is their province's.
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/province/HT/"
    assert client.get("/dashboard/province/HT/").status_code == 200
    assert client.get("/dashboard/province/NA/").status_code == 404
    assert client.get("/dashboard/province/all/").status_code == 404
    assert client.get("/dashboard/district/QL/").status_code == 404
    assert client.get("/dashboard/district/HK/").status_code == 200
    assert client.get("/api/v1/indicators", {"unit": "province:NA", "as_of": "2026-01-01"}).status_code == 404
    # Records: the other province's hamlet is not there, whatever URL is typed.
    assert client.get(f"/hamlets/{country['h4'].code}/").status_code == 200
    assert client.get(f"/hamlets/{country['h3'].code}/").status_code == 404
    people = client.get("/members/?q=nguyen").content.decode()
    assert "Nguyễn Văn A" not in people
    assert "Võ Thị Lan" in client.get("/members/?q=vo thi").content.decode()
    # A national viewer sees both.
    national = make_user("national", "provincial_viewer")
    client.force_login(national)
    assert client.get("/dashboard/").headers["Location"] == "/dashboard/province/all/"
    assert client.get("/dashboard/province/NA/").status_code == 200
    assert viewer.profile.province.code == "HT"


def test_after_a_merger_a_predecessors_officials_still_read_its_past(country, client):
    reorganise.apply(merger())
    client.force_login(province_user("viewer_ht", "provincial_viewer", "HT"))
    assert client.get(f"/hamlets/{country['h4'].code}/").status_code == 200
    assert client.get(f"/hamlets/{country['h3'].code}/").status_code == 404
    client.force_login(province_user("viewer_new", "provincial_viewer", "NA2"))
    assert client.get(f"/hamlets/{country['h3'].code}/").status_code == 200


def test_a_provinces_approver_approves_that_province_only(country, client):
    from django.utils import timezone

    month = D(2025, 12, 1)
    submitted = [
        MonthlySummary.objects.create(
            unit_kind="district",
            unit_code=code,
            unit_name=name,
            month=month,
            status=MonthlySummary.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
        for code, name in (("QL", "Quỳnh Lưu"), ("HK", "Hồng Lĩnh"))
    ]
    approver = province_user("approver_ht", "provincial_approver", "HT")
    assert [s.unit_code for s in summaries.waiting_for_approval(approver)] == ["HK"]
    with pytest.raises(PermissionDenied):
        summaries.summary_approve(summary=submitted[0], user=approver)
    summaries.summary_approve(summary=submitted[1], user=approver)
    client.force_login(approver)
    assert client.get("/summaries/district/QL/2025-12/").status_code == 404
    listing = client.get("/summaries/?month=2025-12").content.decode()
    assert "Hồng Lĩnh" in listing and "Quỳnh Lưu" not in listing
    # The national list names every reporting unit, province by province.
    assert [u.code for u in summaries.summary_units(D(2025, 12, 31))] == ["HK", "QL"]


def test_the_national_summaries_page_counts_province_by_province(country, client):
    """3,321 communes are not one page: the national view counts each
    province's summaries by state; a province's row lists its units."""
    from django.utils import timezone

    MonthlySummary.objects.create(
        unit_kind="district",
        unit_code="HK",
        unit_name="Hồng Lĩnh",
        month=D(2025, 12, 1),
        status=MonthlySummary.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    client.force_login(make_user("national", "provincial_approver"))
    page = client.get("/summaries/?month=2025-12").content.decode()
    rows = {
        re.sub(r"<[^>]+>", "", row.split("</th>")[0]).strip(): re.findall(r'class="num">(?:<[^>]+>)?(\d+)', row)
        for row in re.findall(r"<tr[^>]*><th scope=\"row\">(.*?)</tr>", page, re.S)
    }
    # units, not submitted, submitted, returned, approved, overdue (due 10/01/2026: all but the submitted one)
    assert rows == {"Hà Tĩnh": ["1", "0", "1", "0", "0", "0"], "Nghệ An": ["1", "1", "0", "0", "0", "1"]}
    assert 'href="/summaries/?month=2025-12&amp;province=HT"' in page
    assert 'id="units"' not in page
    chosen = client.get("/summaries/", {"month": "2025-12", "province": "HT"}).content.decode()
    assert 'id="units"' in chosen and "Hồng Lĩnh" in chosen and "Quỳnh Lưu" not in chosen
    assert 'name="province" value="HT"' in chosen  # the month picker stays in the province
    assert client.get("/summaries/", {"month": "2025-12", "province": "XX"}).status_code == 404


def test_the_units_someone_may_read_at_once_are_those_they_may_read_one_by_one(country):
    """permissions.readable_units (the approver's waiting list) agrees with
    can_see_unit for every account and unit, before and after a merger and
    the abolition of a district; and costs the same however many summaries wait."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from hamlets.models import District
    from hamlets.permissions import can_see_unit, readable_units

    users = [
        make_user("national", "provincial_viewer"),
        province_user("viewer_ht", "provincial_viewer", "HT"),
        province_user("approver_na", "provincial_approver", "NA"),
        make_user("staff_ql", "district_staff", district="QL"),
        make_user("staff_c", "district_staff", commune="C"),
    ]

    def agree():
        units = [get_unit("district", d.code) for d in District.objects.all()]
        units += [get_unit("commune", c.code) for c in Commune.objects.all()]
        for user in users:
            readable = readable_units(user)
            for unit in units:
                expected = can_see_unit(user, unit)
                assert (readable is None or unit.code in readable[unit.kind]) == expected, (user.username, unit)

    agree()
    reorganise.apply(merger())
    reorganise.apply(event("E2", "dissolve", "district", {"from": ["QL"]}))
    users.append(province_user("viewer_new", "provincial_viewer", "NA2"))
    agree()

    def queries(count):
        MonthlySummary.objects.all().delete()
        for n in range(count):
            MonthlySummary.objects.create(
                unit_kind="commune",
                unit_code="ABC"[n % 3],
                unit_name="Xã",
                month=D(2025, 1 + n, 1),
                status=MonthlySummary.Status.SUBMITTED,
                submitted_at=timezone.now(),
            )
        with CaptureQueriesContext(connection) as context:
            waiting = summaries.waiting_for_approval(users[2])
        return len(context.captured_queries), sorted({s.unit_code for s in waiting})

    few, seen = queries(2)
    assert seen == ["A", "B"]
    assert queries(9)[0] == few


# --- one province: nothing changes ----------------------------------------------------------------------


def test_with_one_province_no_page_shows_a_province_level(registry, client):
    """A one-province installation, with or without a province row: the
    whole installation is `province:all`, its children districts."""
    one = Province.objects.create(code="NA", name="Nghệ An")
    Commune.objects.update(province=one)
    client.force_login(make_user("viewer", "provincial_viewer"))
    root = get_unit("province", "all")
    assert root.name == "Toàn tỉnh"
    assert [unit.kind for unit, _communes in child_units(root, D(2026, 1, 1))] == ["district", "district"]
    pages = [
        "/",
        "/communes/",
        "/dashboard/province/all/",
        "/summaries/",
        "/hamlets/",
        "/members/",
        "/goals/province/all/",
        "/quality/province/all/",
    ]
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "Theo tỉnh" not in page, url
        assert not re.search(r"/province/(?!all/)", page), url
        assert 'name="province"' not in page, url


def test_a_units_communes_read_once_per_page_are_those_of_each_date(country):
    """unit_commune_pks (one reading per page, dated in memory) gives the
    communes unit_communes gives for every unit and date, across a province
    merger and a district abolished on the same day."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from coverage_site.lib.read_memo import ReadMemoMiddleware
    from hamlets.models import District
    from reports.indicators.units import unit_commune_pks, unit_communes

    # A commune founded after the merger and one dissolved before it: a unit covers its active communes only.
    f.commune(code="N", name="Xã Mới", province=country["na"], established_on=datetime.date(2025, 9, 1))
    f.commune(code="O", name="Xã Cũ", province=country["ht"], dissolved_on=datetime.date(2025, 3, 1))
    reorganise.apply(merger())
    reorganise.apply(event("E2", "dissolve", "district", {"from": ["QL"]}))
    units = [get_unit("province", "all")]
    units += [get_unit("province", code) for code in Province.objects.values_list("code", flat=True)]
    units += [get_unit("district", code) for code in District.objects.values_list("code", flat=True)]
    units += [get_unit("commune", code) for code in Commune.objects.values_list("code", flat=True)]
    days = [datetime.date(2025, 1, 1), BEFORE, JULY, datetime.date(2025, 12, 31)]
    expected = {(u.kind, u.code, d): set(unit_communes(u, d).values_list("pk", flat=True)) for u in units for d in days}
    assert any(expected.values()) and any(not found for found in expected.values())

    def page(request):
        found = {(u.kind, u.code, d): unit_commune_pks(u, d) for u in units for d in days}
        assert found == expected
        return HttpResponse("ok")

    assert ReadMemoMiddleware(page)(RequestFactory().get("/")).content == b"ok"
    assert {(u.kind, u.code, d): unit_commune_pks(u, d) for u in units for d in days} == expected
