"""Figures recomputed only where the data changed (reports/indicators/by_commune.py):
after a change through a form, an action, an upload and the admin, the next
dashboard view shows the new figure and recomputes only the communes the
change touched; with no change, nothing is recomputed."""

import io

import pytest
from django.core.cache import cache
from django.urls import reverse

from hamlets.models import AdmissionTarget, Commune
from reports.indicators import by_commune

from .conftest import make_user
from .test_dashboards import card_figures

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/province/all/"
AS_OF = {"as_of": "10/11/2016"}


@pytest.fixture
def recomputed(monkeypatch):
    """The commune codes whose figures each dashboard view read from the states."""
    calls = []
    real = by_commune.read_figures

    def spy(commune_pks, days, area):
        calls.append(sorted(Commune.objects.filter(pk__in=commune_pks).values_list("code", flat=True)))
        return real(commune_pks, days, area)

    monkeypatch.setattr(by_commune, "read_figures", spy)
    return calls


@pytest.fixture
def viewer(registry, client):
    # The data set was written inside the test's transaction, which never
    # commits: its pending version raises would be flushed by the first
    # commit a test captures. In production that transaction has long committed.
    from reports import versions

    versions._pending.__dict__.clear()
    client.force_login(make_user("viewer", "provincial_viewer"))
    return client


def card(client, key):
    """(numerator, denominator) of a card of the province dashboard, as shown."""
    response = client.get(DASHBOARD, AS_OF)
    assert response.status_code == 200
    return card_figures(response.content.decode())[key]


def view_twice_and_count(viewer, recomputed):
    """A first view reads every commune; a second one, nothing."""
    card(viewer, "members_elderly")
    assert recomputed[-1] == ["C1", "C2", "C3"]
    before = len(recomputed)
    card(viewer, "members_elderly")
    assert len(recomputed) == before  # no change: cache reads only


def test_a_form_recomputes_its_commune_only(viewer, recomputed, django_capture_on_commit_callbacks):
    view_twice_and_count(viewer, recomputed)
    staff = make_user("staff", "district_staff", district="D1")
    viewer.force_login(staff)
    target = AdmissionTarget.objects.get(commune__code="C2", year=2016)
    url = reverse("hamlets:admissiontarget_edit", kwargs={"pk": target.pk})
    form = viewer.get(url).context["form"]
    with django_capture_on_commit_callbacks(execute=True):
        response = viewer.post(url, {**form.initial, "commune": target.commune_id, "year": 2016, "target": 9})
    assert response.status_code == 302, response.content.decode()[:500]
    viewer.force_login(make_user("viewer2", "provincial_viewer"))
    assert card(viewer, "admissions_vs_target")[1] == 3 + 9
    assert recomputed[-1] == ["C2"]


def test_an_action_recomputes_its_commune_only(viewer, recomputed, django_capture_on_commit_callbacks):
    view_twice_and_count(viewer, recomputed)
    before = card(viewer, "members_elderly")
    admin = make_user("boss", "admin")
    viewer.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = viewer.post(
            reverse("hamlets:member_leave", kwargs={"code": "M4"}), {"on": "01/06/2016", "reason": "deceased"}
        )
    assert response.status_code == 302, response.content.decode()[:500]
    assert card(viewer, "members_elderly")[1] == before[1] - 1
    assert recomputed[-1] == ["C3"]


def test_an_upload_recomputes_its_communes_only(viewer, recomputed, django_capture_on_commit_callbacks):
    from hamlets.exchange import import_sheets

    from .sheets import raw

    view_twice_and_count(viewer, recomputed)
    tables = {
        "admission_targets": [["commune_code", "year", "target"], ["C3", "2016", "7"]],
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert import_sheets(raw(tables)).ok
    assert card(viewer, "admissions_vs_target")[1] == 3 + 2 + 7
    assert recomputed[-1] == ["C3"]


def test_the_admin_recomputes_its_communes_only(viewer, recomputed, django_capture_on_commit_callbacks):
    view_twice_and_count(viewer, recomputed)
    viewer.force_login(make_user("boss", "admin"))
    target = AdmissionTarget.objects.get(commune__code="C1", year=2016)
    url = reverse("admin:hamlets_admissiontarget_change", args=[target.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = viewer.post(url, {"commune": target.commune_id, "year": 2016, "target": 5, "_save": "Lưu"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert card(viewer, "admissions_vs_target")[1] == 5 + 2
    assert recomputed[-1] == ["C1"]


def test_a_moved_hamlet_recomputes_both_communes(viewer, recomputed, django_capture_on_commit_callbacks):
    from hamlets import reorganise
    from hamlets.models import Reorganisation

    view_twice_and_count(viewer, recomputed)
    event = Reorganisation.objects.create(
        code="MOVE",
        kind="move",
        level="hamlet",
        effective_on="2016-01-01",
        act_number="1/NQ",
        act_date="2016-01-01",
        act_issuer="HĐND",
        content={"from": ["H3"], "into": "C1"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        reorganise.apply(Reorganisation.objects.get(pk=event.pk))
    card(viewer, "members_elderly")
    assert recomputed[-1] == ["C1", "C2"]


def test_the_cached_breakdown_table_shows_the_new_figure(viewer, django_capture_on_commit_callbacks):
    import re

    def admissions_cell_of_c2():
        page = viewer.get("/dashboard/district/D1/", AS_OF).content.decode()
        return re.search(r'/dashboard/commune/C2/admissions_vs_target/[^"]*">([^<]*)<', page).group(1)

    assert admissions_cell_of_c2() == "0/2"
    assert admissions_cell_of_c2() == "0/2"  # the second view comes from the fragment cache
    target = AdmissionTarget.objects.get(commune__code="C2", year=2016)
    target.target = 8
    with django_capture_on_commit_callbacks(execute=True):
        target.save()
    assert admissions_cell_of_c2() == "0/8"


def test_a_member_moving_house_recomputes_both_communes(viewer, recomputed, django_capture_on_commit_callbacks):
    from hamlets.models import Hamlet, Member

    view_twice_and_count(viewer, recomputed)
    member = Member.objects.get(code="M4")  # lives in H4 (C3)
    member.residence_hamlet = Hamlet.objects.get(code="H3")  # C2
    with django_capture_on_commit_callbacks(execute=True):
        member.save()
    card(viewer, "members_elderly")
    assert recomputed[-1] == ["C2", "C3"]


def test_an_edit_computes_its_commune_so_the_next_view_waits_for_nothing(
    viewer, recomputed, django_capture_on_commit_callbacks
):
    """The edit, once committed, computes its commune's figures for the dates
    dashboards read (by_commune.refresh); the viewer after it reads the cache."""
    view_twice_and_count(viewer, recomputed)
    target = AdmissionTarget.objects.get(commune__code="C2", year=2016)
    target.target = 9
    during_edit = len(recomputed)
    with django_capture_on_commit_callbacks(execute=True):
        target.save()
    assert recomputed[during_edit:] == [["C2"]]  # one read, of the changed commune, at the edit
    after_edit = len(recomputed)
    assert card(viewer, "admissions_vs_target")[1] == 3 + 9
    assert len(recomputed) == after_edit  # the view computed nothing


def test_an_edit_whose_refresh_fails_still_saves_and_the_view_computes(
    viewer, recomputed, monkeypatch, django_capture_on_commit_callbacks
):
    view_twice_and_count(viewer, recomputed)

    def broken(commune_pks):
        raise RuntimeError("cache server gone")

    monkeypatch.setattr(by_commune, "refresh", broken)
    target = AdmissionTarget.objects.get(commune__code="C2", year=2016)
    target.target = 7
    with django_capture_on_commit_callbacks(execute=True):
        target.save()
    assert AdmissionTarget.objects.get(pk=target.pk).target == 7
    assert card(viewer, "admissions_vs_target")[1] == 3 + 7
    assert recomputed[-1] == ["C2"]  # computed by the view instead


def test_a_view_after_no_change_draws_nothing(viewer, monkeypatch):
    """The dashboard's figures are kept as drawn: a second view neither reads
    figures nor builds the page's body again, and shows the same numbers."""
    from reports import dashboards

    first = card_figures(viewer.get(DASHBOARD, AS_OF).content.decode())
    built = []
    real = dashboards.dashboard
    monkeypatch.setattr(dashboards, "dashboard", lambda *a, **k: built.append(a) or real(*a, **k))
    assert card_figures(viewer.get(DASHBOARD, AS_OF).content.decode()) == first
    assert built == []
    # Another date, sort or language is another page.
    viewer.get(DASHBOARD, {**AS_OF, "sort": "branches_at_risk:desc"})
    assert len(built) == 1


def test_after_an_edit_only_the_changed_row_of_the_breakdown_is_drawn(
    viewer, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import dashboards

    viewer.get("/dashboard/district/D1/", AS_OF)
    drawn = []
    real = dashboards.breakdown_cells
    monkeypatch.setattr(
        dashboards, "breakdown_cells", lambda rows, *a: drawn.extend(c["code"] for c, _f in rows) or real(rows, *a)
    )
    target = AdmissionTarget.objects.get(commune__code="C2", year=2016)
    target.target = 6
    with django_capture_on_commit_callbacks(execute=True):
        target.save()
    page = viewer.get("/dashboard/district/D1/", AS_OF).content.decode()
    assert drawn == ["C2"]
    assert "/dashboard/commune/C2/admissions_vs_target/" in page and ">0/6<" in page
    assert "/dashboard/commune/C1/" in page  # the other rows, from the cache


def test_the_home_page_reads_the_communes_cached_figures(viewer, recomputed, django_capture_on_commit_callbacks):
    """Everyone lands on the home page after logging in: its province figures
    come from the per-commune cache, not from the states each time."""
    assert viewer.get("/", AS_OF).status_code == 200
    assert recomputed[-1] == ["C1", "C2", "C3"]
    before = len(recomputed)
    assert viewer.get("/", AS_OF).status_code == 200
    assert len(recomputed) == before
    target = AdmissionTarget.objects.get(commune__code="C2", year=2016)
    target.target = 5
    with django_capture_on_commit_callbacks(execute=True):
        target.save()
    page = viewer.get("/", AS_OF)
    assert recomputed[-1] == ["C2"]
    figures = dict(page.context["figures"])
    assert next(f for i, f in figures.items() if i.key == "admissions_vs_target")["denominator"] == 3 + 5


def test_drill_downs_and_record_pages_read_the_states_the_figures_came_from(
    viewer, recomputed, django_capture_on_commit_callbacks
):
    """Once a dashboard has read a date, the drill-down behind a figure and a
    hamlet's page read the same cached states; an edit shows in them."""
    from hamlets.models import VillageHead

    view_twice_and_count(viewer, recomputed)
    before = len(recomputed)
    url = "/dashboard/province/all/village_heads_party_members/"

    def hamlets_listed():
        import re

        return set(re.findall(r'href="/hamlets/(\w+)/"', viewer.get(url, AS_OF).content.decode()))

    heads_shown = hamlets_listed()
    hamlet_page = viewer.get("/hamlets/H1/", AS_OF)
    assert hamlet_page.status_code == 200
    assert len(recomputed) == before  # both from the cache
    numerator = card(viewer, "village_heads_party_members")[0]
    assert len(heads_shown) == numerator
    head = VillageHead.objects.filter(hamlet__commune__code="C1", member__isnull=False).first()
    assert head is not None
    head.member = None
    with django_capture_on_commit_callbacks(execute=True):
        head.save()
    assert card(viewer, "village_heads_party_members")[0] == numerator - 1
    assert hamlets_listed() == heads_shown - {head.hamlet.code}


@pytest.mark.parametrize(("chunk", "readings"), [(2000, [["C1", "C2", "C3"]]), (2, [["C1", "C2"], ["C3"]])])
def test_warm_figures_computes_every_date_a_dashboard_reads(viewer, recomputed, chunk, readings):
    """The nightly warm-up covers the day, the month end before and the
    goals band's dates, `--chunk` communes a reading: the first view of the
    day reads only the cache."""
    from django.core.management import call_command

    shown = card(viewer, "members_elderly")
    cache.clear()
    recomputed.clear()
    call_command("warm_figures", as_of="10/11/2016", chunk=chunk, stdout=io.StringIO())
    assert recomputed == readings  # all dates in one reading
    assert card(viewer, "members_elderly") == shown
    assert len(recomputed) == len(readings)


def test_kept_figures_are_keyed_by_the_computing_code_only():
    """A deployment changing pages or translations keeps a country's figures;
    one changing how they are computed does not (every file named exists, so
    a renamed module cannot drop out of the key unnoticed)."""
    from reports.indicators.by_commune import DRAWING_CODE, FIGURES_CODE, _code_hash

    assert all(path.exists() for path in FIGURES_CODE + DRAWING_CODE)
    assert not [path for path in FIGURES_CODE if path.suffix in (".po", ".html")]
    assert any(path.suffix == ".po" for path in DRAWING_CODE)
    assert _code_hash(FIGURES_CODE) != _code_hash(FIGURES_CODE + DRAWING_CODE)
