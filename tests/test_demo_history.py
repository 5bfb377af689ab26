"""The demo continued to today (hamlets/demo_history.py): the 2016 figures of
the article still hold at their dates, today's province is the 2025 one, and
restating and the exchange format survive the real sequence of reforms."""

import datetime

import pytest
from django.db import transaction

from hamlets.demo_history import continue_to_today
from hamlets.exchange import export_path, import_path
from hamlets.models import Commune, District, Hamlet, LineageLink, ParentChange, Reorganisation
from reports.indicators import compute, get_unit

from .conftest import DEMO, make_user
from .test_roundtrip import read_folder, wipe

D = datetime.date
TODAY = D(2026, 11, 30)


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        assert import_path(DEMO).ok
        events = continue_to_today(TODAY)
        yield events
        transaction.set_rollback(True)


def pair(result, key):
    figure = result["indicators"][key]
    return figure["numerator"], figure["denominator"]


@pytest.mark.django_db
def test_the_article_figures_still_hold_at_their_dates(history):
    result = compute(get_unit("district", "QL"), D(2016, 11, 10), "special")
    assert pair(result, "hamlets_without_branch") == (10, 141)
    assert pair(result, "hamlets_without_resident_members") == (19, 141)
    assert pair(result, "branches_at_risk") == (6, 131)
    assert pair(result, "members_elderly") == (1044, 1606)


@pytest.mark.django_db
def test_today_the_province_is_made_of_the_2025_communes(history):
    kinds = {(e.level, e.kind) for e in history}
    assert {("hamlet", "merge"), ("hamlet", "split"), ("commune", "merge"), ("district", "dissolve")} <= kinds
    assert not District.objects.active_on(TODAY).exists()
    result = compute(get_unit("province", "all"), TODAY, by_child=True)
    names = [child["unit"]["name"] for child in result["children"]]
    assert "Xã Quỳnh Văn" in names and "Phường Hoàng Mai" in names and len(names) == 9
    # Quỳnh Thanh's hamlets are in Quỳnh Văn today, and were in Quỳnh Thanh in 2016.
    hamlet = Hamlet.objects.filter(code__startswith="QTH-").order_by("code").first()
    assert hamlet.commune.code == "QL2025-QVA"
    assert ParentChange.objects.filter(hamlet=hamlet, old_commune__code="QTH").exists()
    assert Commune.objects.get(code="QTH").dissolved_on == D(2025, 7, 1)
    # Figures today are alive: members, branches, heads.
    assert result["indicators"]["members_elderly"]["denominator"] > 4000
    assert result["indicators"]["branches_rated_not_completed"]["denominator"] > 200


@pytest.mark.django_db
@pytest.mark.parametrize("day", [D(2016, 12, 31), D(2019, 12, 31), D(2024, 12, 31), TODAY])
def test_restated_totals_equal_as_they_were_and_children_add_up(history, day):
    province = get_unit("province", "all")
    as_they_were = compute(province, day, by_child=True)
    restated = compute(province, day, by_child=True, restated=True)
    assert restated["indicators"] == as_they_were["indicators"]
    for key in ("hamlets_without_branch", "members_elderly", "branches_at_risk"):
        assert sum(c["indicators"][key]["denominator"] for c in restated["children"]) == pair(restated, key)[1]
        assert sum(c["indicators"][key]["numerator"] for c in restated["children"]) == pair(restated, key)[0]


@pytest.mark.django_db
def test_the_reorganised_province_round_trips_byte_for_byte(history, tmp_path):
    with transaction.atomic():
        export_path(tmp_path / "first")
        assert Reorganisation.objects.count() == len(history) and LineageLink.objects.exists()
        wipe()
        result = import_path(tmp_path / "first")
        assert result.ok, result.errors[:3]
        export_path(tmp_path / "second")
        transaction.set_rollback(True)
    first = read_folder(tmp_path / "first")
    assert first == read_folder(tmp_path / "second")
    assert len(first["parent_changes.csv"].splitlines()) > 300


@pytest.mark.django_db
def test_the_official_answers_the_question_from_the_trend_page(history, client):
    """ "Has the share of hamlets without a branch really fallen since 2016, on today's communes?"."""
    client.force_login(make_user("viewer", "provincial_viewer"))
    page = client.get("/dashboard/commune/QL2025-QVA/trend/?as_of=30/11/2026&period=years&view=restated")
    html = page.content.decode()
    assert page.status_code == 200
    assert "08/NQ-HĐND" in html and "1678/NQ-UBTVQH15" in html and "reform-marker" in html
    assert "quy về đơn vị hiện nay" in html
    merged = Hamlet.objects.get(
        code="QVA-"
        + LineageLink.objects.filter(event__code="NQ08-2019-QVA", from_hamlet__isnull=False)
        .first()
        .from_hamlet.code.rsplit("-", 1)[-1]
    )
    assert "Sáp nhập vào" in client.get(f"/hamlets/{merged.code}/").content.decode()
