"""Stored month ends (reports/indicators/month_ends.py): each commune's
figures at each month end kept in a table, read when the cache has lost them,
recomputed for exactly the communes whose data changed, and always equal to
a fresh computation."""

import datetime
import random

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from hamlets.models import Commune, Member, Membership, VillageHead
from reports import versions
from reports.dashboards import recent_month_ends
from reports.indicators import by_commune, get_unit
from reports.models import CommuneMonthEnd

pytestmark = pytest.mark.django_db
DAY = datetime.date(2016, 11, 10)


@pytest.fixture
def reads(monkeypatch, registry):
    """(commune codes, dates) of every computation from the states."""
    versions._pending.__dict__.clear()  # the data set's own writes never commit in a test
    calls = []
    real = by_commune.read_figures

    def spy(commune_pks, days, area):
        codes = sorted(Commune.objects.filter(pk__in=commune_pks).values_list("code", flat=True))
        calls.append((codes, sorted(days)))
        return real(commune_pks, days, area)

    spy.real = real
    monkeypatch.setattr(by_commune, "read_figures", spy)
    return calls


month_ends_bulk_create = CommuneMonthEnd.objects.bulk_create


def province_trend():
    days = recent_month_ends(DAY, 12)
    return by_commune.unit_figures(get_unit("province", "all"), days), days


def test_month_ends_are_stored_and_read_back_when_the_cache_is_gone(reads):
    _figures, days = province_trend()
    assert reads == [(["C1", "C2", "C3"], days)]
    assert CommuneMonthEnd.objects.count() == 3 * 12
    cache.clear()  # a flushed Redis, an evicted entry
    province_trend()
    assert len(reads) == 1  # nothing computed again


def test_a_change_recomputes_its_own_communes_month_ends_only(reads, django_capture_on_commit_callbacks):
    province_trend()
    member = Member.objects.get(code="M4")  # lives in C3
    member.official_on = None
    member.admitted_on = datetime.date(2016, 6, 1)
    with django_capture_on_commit_callbacks(execute=True):
        member.save()
    cache.clear()
    reads.clear()
    _figures, days = province_trend()
    assert [codes for codes, _days in reads] == [["C3"]]
    assert reads[0][1] == days


def test_storing_them_again_replaces_them_and_a_failed_store_fails_nothing(reads, monkeypatch):
    from django.db import OperationalError

    from reports.indicators import month_ends

    figures, days = province_trend()
    version_of = figures[days[-1]].versions
    kept = month_ends.read([(pk, days[-1]) for pk in version_of], None, version_of)
    assert len(kept) == 3
    stored = CommuneMonthEnd.objects.count()
    month_ends.write(kept, None, version_of)  # the same rows again (two processes at once): replaced
    assert CommuneMonthEnd.objects.count() == stored
    assert month_ends.read(list(kept), None, version_of) == kept

    def deadlocked(*args, **kwargs):
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(CommuneMonthEnd.objects, "bulk_create", deadlocked)
    month_ends.write(kept, None, version_of)  # logged, and the caller goes on
    monkeypatch.setattr(CommuneMonthEnd.objects, "bulk_create", month_ends_bulk_create)
    cache.clear()
    province_trend()
    assert len(reads) == 1  # still read from what was stored


def test_a_changed_formula_or_setting_makes_them_stale(reads, settings):
    province_trend()
    cache.clear()
    settings.AT_RISK_MIN_FULL_MEMBERS = 4
    province_trend()
    assert len(reads) == 2


def edit_at_random(rng):
    """One edit that changes figures, keeping the database's own rules."""
    kind = rng.choice(["official", "leave", "reinforcing", "head"])
    if kind == "official":
        member = rng.choice(list(Member.objects.all()))
        member.official_on = rng.choice([None, member.admitted_on + datetime.timedelta(days=rng.randint(0, 900))])
        member.save()
    elif kind == "leave":
        # A member's latest membership only: moving its end cannot overlap another
        # (PostgreSQL checks overlaps when the transaction ends).
        later = Membership.objects.filter(member_id=OuterRef("member_id"), joined_on__gt=OuterRef("joined_on"))
        membership = rng.choice(list(Membership.objects.exclude(Exists(later))))
        if membership.left_on:
            membership.left_on, membership.left_reason = None, ""
        else:
            membership.left_on = membership.joined_on + datetime.timedelta(days=rng.randint(1, 9000))
            membership.left_reason = rng.choice(["transferred", "deceased", "removed"])
        membership.save()
    elif kind == "reinforcing":
        membership = rng.choice(list(Membership.objects.all()))
        membership.reinforcing = not membership.reinforcing
        membership.save()
    else:
        later = VillageHead.objects.filter(hamlet_id=OuterRef("hamlet_id"), term_start__gt=OuterRef("term_start"))
        head = rng.choice(list(VillageHead.objects.exclude(Exists(later))))  # the latest term, as above
        head.term_end = rng.choice([None, head.term_start + datetime.timedelta(days=rng.randint(1, 1500))])
        head.save()


def read_between_random_edits(read, seed, capture, steps=8):
    """read(), then one random edit committed (its communes' versions raised),
    `steps` times: people read between edits."""
    rng = random.Random(seed)
    for _step in range(steps):
        read()
        with capture(execute=True):
            try:
                with transaction.atomic():
                    edit_at_random(rng)
            except IntegrityError:
                pass  # an edit the database refuses: none made


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_month_ends_equal_a_fresh_computation_after_random_edits(
    reads, seed, django_capture_on_commit_callbacks
):
    read_between_random_edits(province_trend, seed, django_capture_on_commit_callbacks, steps=12)
    cache.clear()
    stored, days = province_trend()
    pks = set(Commune.objects.values_list("pk", flat=True))
    fresh = by_commune.read_figures.real(pks, days, None)  # from the states, bypassing cache and table
    for day in days:
        for pk in stored[day].entries:
            assert stored[day].entries[pk] == fresh[(pk, day)]["figures"], (pk, day)


@pytest.mark.parametrize("seed", [4, 5])
def test_kept_sums_of_the_installation_and_its_provinces_equal_a_fresh_computation(
    reads, seed, django_capture_on_commit_callbacks
):
    """unit_sums.py: the 12-month trend of the nation and of each province,
    read between random edits, then compared with compute() from the states."""
    from hamlets.models import Province
    from reports.indicators import compute
    from reports.indicators.cache import compute_many_cached

    one, two = Province.objects.create(code="P1", name="Một"), Province.objects.create(code="P2", name="Hai")
    Commune.objects.filter(code__in=["C1", "C2"]).update(province=one)
    Commune.objects.filter(code="C3").update(province=two)
    units = [get_unit("province", code) for code in ("all", "P1", "P2")]
    days = recent_month_ends(DAY, 12)
    read_between_random_edits(
        lambda: [compute_many_cached(unit, days) for unit in units], seed, django_capture_on_commit_callbacks
    )
    for unit in units:
        kept = compute_many_cached(unit, days)
        for day in days:
            assert kept[day]["indicators"] == compute(unit, day)["indicators"], (unit.code, day)
    # The nation's totals are its provinces' sums: P1's communes were computed
    # with P1, and nothing was computed twice for the nation.
    cache.clear()
    reads.clear()
    compute_many_cached(units[0], days)
    assert reads == []  # every commune month end was stored


def test_the_five_year_trend_page_shows_sixty_month_ends(registry, client):
    from reports.indicators import compute

    from .conftest import make_user

    client.force_login(make_user("viewer", "provincial_viewer"))
    page = client.get("/dashboard/province/all/trend/", {"as_of": "10/11/2016", "period": "60"}).content.decode()
    assert "Xu hướng 5 năm" in page
    days = recent_month_ends(DAY, 60)
    assert days[0] == datetime.date(2011, 11, 30) and len(days) == 60
    header = page.split('id="trend-table"')[1].split("</thead>")[0]
    assert header.count('class="num"') == 60
    assert "11/2011" in header and "10/2016" in header
    figure = compute(get_unit("province", "all"), days[-1])["indicators"]["hamlets_without_branch"]
    assert f"{figure['numerator']}/{figure['denominator']}" in page.split('id="trend-table"')[1]


@pytest.mark.parametrize(("seed", "third_in_province"), [(6, True), (7, False)])
def test_the_installations_figures_at_any_date_are_its_provinces_kept_sums(
    reads, seed, third_in_province, django_capture_on_commit_callbacks
):
    """unit_sums.grouped_figures: the national dashboard's figures (totals,
    each province's, the action lists' ids) equal a fresh computation after
    random edits; a commune in no province is counted on its own."""
    from hamlets.models import Province
    from reports.indicators import compute, unit_communes
    from reports.indicators.states import Snapshot
    from reports.indicators.unit_sums import GroupedFigures

    one, two = Province.objects.create(code="P1", name="Một"), Province.objects.create(code="P2", name="Hai")
    Commune.objects.filter(code__in=["C1", "C2"]).update(province=one)
    Commune.objects.filter(code="C3").update(province=two if third_in_province else None)
    nation = get_unit("province", "all")
    days = sorted({DAY, DAY - datetime.timedelta(days=40), datetime.date(2015, 12, 31)})
    read_between_random_edits(
        lambda: by_commune.unit_figures(nation, days, remember=True), seed, django_capture_on_commit_callbacks
    )
    kept = by_commune.unit_figures(nation, days)
    for day in days:
        assert isinstance(kept[day], GroupedFigures)
        fresh = Snapshot(unit_communes(nation, day), day)
        assert compute(nation, day, by_child=True, snapshot=kept[day]) == compute(nation, day, by_child=True)
        ids, expected = kept[day].action_ids(), fresh.action_ids()
        assert ids["unserved"] == expected["unserved"] and ids["at_risk"] == expected["at_risk"]
        assert sorted(ids["no_secretary"]) == sorted(expected["no_secretary"])
    # An edit in C1 sums P1 again from its communes, C1's figures computed afresh only.
    reads.clear()
    member = Member.objects.filter(residence_hamlet__commune__code="C1").first()
    member.official_on = None if member.official_on else member.admitted_on
    with django_capture_on_commit_callbacks(execute=True):
        member.save()
    by_commune.unit_figures(nation, days)
    assert [codes for codes, _days in reads] == [["C1"]]  # by the save (its dates are hot) or by the read
    later = by_commune.unit_figures(nation, days)
    assert compute(nation, DAY, by_child=True, snapshot=later[DAY]) == compute(nation, DAY, by_child=True)
