"""Reorganisations as users meet them: scope after a move, the administrator's
pages, lineage on unit pages, the restated view in the API and the trend."""

import datetime
import json

import pytest
from django.core.management import call_command

from hamlets import reorganise
from hamlets.models import Commune, Hamlet, Reorganisation

from .conftest import make_user
from .test_reorganisations import event, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
D = datetime.date


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def moved(world):  # noqa: F811
    reorganise.apply(event("move", "hamlet", {"from": ["H8"], "into": "B"}, effective_on=D(2021, 3, 1)))
    return world


def test_receiving_commune_edits_a_moved_hamlet_and_the_giving_one_only_reads_it(moved, client):
    giving = make_user("clerk_a", "district_staff", commune="A")
    receiving = make_user("clerk_b", "district_staff", commune="B")
    login(client, receiving)
    assert client.get("/hamlets/H8/edit/").status_code == 200
    assert client.get("/branches/B8/edit/").status_code == 200
    client.logout()
    login(client, giving)
    page = client.get("/hamlets/H8/?as_of=01/01/2020")
    assert page.status_code == 200
    assert "Trước 01/03/2021 thuộc Xã A" in page.content.decode()
    assert client.get("/hamlets/H8/edit/").status_code == 403
    assert client.post("/hamlets/H8/edit/", {"name": "Đổi"}).status_code == 403
    assert client.get("/branches/B8/edit/").status_code == 403
    # Its past members are still in the giving commune's member list; its hamlet list keeps xóm 8 too.
    assert "Xóm 8" in client.get("/hamlets/").content.decode()
    assert Hamlet.objects.get(code="H8").name == "Xóm 8"


def test_commune_dashboard_as_they_were_and_restated(moved, client):
    login(client, make_user("viewer", "provincial_viewer"))
    before = client.get("/dashboard/commune/A/?as_of=31/12/2020").content.decode()
    restated = client.get("/dashboard/commune/A/?as_of=31/12/2020&view=restated").content.decode()
    assert 'data-key="hamlets_without_branch"' in before
    # As they were, A had 3 hamlets on 31/12/2020; restated on today's A, 2.
    assert '<span class="denominator">3</span>' in before
    assert '<span class="denominator">2</span>' in restated
    assert "quy về đơn vị hiện nay" in restated


def test_api_and_command_restated_give_the_same_json(moved, client, capsys):
    login(client, make_user("viewer", "provincial_viewer"))
    api = client.get("/api/v1/indicators?unit=commune:B&as_of=2020-12-31&restated=1").json()
    call_command("indicators", "--unit", "commune:B", "--as-of", "2020-12-31", "--restated")
    assert json.loads(capsys.readouterr().out) == api
    assert api["indicators"]["hamlets_without_branch"]["denominator"] == 2
    plain = client.get("/api/v1/indicators?unit=commune:B&as_of=2020-12-31").json()
    assert plain["indicators"]["hamlets_without_branch"]["denominator"] == 1
    assert set(plain) == set(api)


def test_administrator_enters_previews_applies_and_undoes_a_merger(world, client):  # noqa: F811
    admin = make_user("admin", "admin")
    login(client, admin)
    response = client.post(
        "/reorganisations/new/",
        {
            "code": "NQ08-TS",
            "level": "hamlet",
            "kind": "merge",
            "effective_on": "12/07/2019",
            "act_number": "08/NQ-HĐND",
            "act_date": "12/07/2019",
            "act_issuer": "HĐND tỉnh Nghệ An",
            "predecessors": "H6, H7",
            "successors": "H3; Xóm 3; 215",
            "into": "",
            "new_name": "",
            "secretary": "",
            "residents": "",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get("/reorganisations/NQ08-TS/").content.decode()
    assert "Thành lập Xóm 3 (mã H3)." in page
    assert "Giải thể thôn, xóm H6 (Xóm 6)." in page
    assert not Hamlet.objects.filter(code="H3").exists()
    client.post("/reorganisations/NQ08-TS/apply/")
    assert Reorganisation.objects.get(code="NQ08-TS").status == "applied"
    hamlet_page = client.get("/hamlets/H3/").content.decode()
    assert "Sáp nhập từ" in hamlet_page and "Xóm 6" in hamlet_page and "08/NQ-HĐND ngày 12/7/2019" in hamlet_page
    assert "Sáp nhập vào" in client.get("/hamlets/H6/").content.decode()
    # The commune's trend over years crosses the merger: a marker with the act's number.
    trend = client.get("/dashboard/commune/A/trend/?as_of=30/11/2026&period=years").content.decode()
    assert "reform-marker" in trend and "08/NQ-HĐND" in trend
    client.post("/reorganisations/NQ08-TS/undo/")
    assert Reorganisation.objects.get(code="NQ08-TS").status == "planned"
    assert not Hamlet.objects.filter(code="H3").exists()


def test_a_refused_event_says_why_on_its_page(world, client):  # noqa: F811
    login(client, make_user("admin", "admin"))
    event("merge", "hamlet", {"from": ["H6", "NOPE"], "to": [{"code": "H3", "name": "Xóm 3"}]}, code="BAD")
    page = client.get("/reorganisations/BAD/").content.decode()
    assert "Không có thôn, xóm mã NOPE." in page
    client.post("/reorganisations/BAD/apply/")
    assert Reorganisation.objects.get(code="BAD").status == "planned"


def test_only_administrators_reach_the_reorganisation_pages(world, client):  # noqa: F811
    login(client, make_user("viewer", "provincial_viewer"))
    assert client.get("/reorganisations/").status_code == 403
    event("rename", "hamlet", {"from": ["H9"], "name": "Xóm Mới"}, code="R1")
    assert client.post("/reorganisations/R1/apply/").status_code == 403
    assert Reorganisation.objects.get(code="R1").status == "planned"


def test_monthly_summary_offers_the_restated_view(moved, client):
    client.force_login(make_user("viewer", "provincial_viewer"))
    plain = client.get("/summaries/commune/A/2020-12/")
    assert plain.status_code == 200, plain.status_code
    restated = client.get("/summaries/commune/A/2020-12/?view=restated")
    assert plain.context["content"]["indicators"]["hamlets_without_branch"]["denominator"] == 3
    assert restated.context["content"]["indicators"]["hamlets_without_branch"]["denominator"] == 2
    assert "quy về đơn vị hiện nay" in restated.content.decode()


def test_list_filters_use_the_commune_of_the_lists_date(moved, client):
    client.force_login(make_user("viewer", "provincial_viewer"))
    commune_b = Commune.objects.get(code="B").pk
    then = client.get(f"/hamlets/?commune={commune_b}&active_on=31/12/2020").content.decode()
    now = client.get(f"/hamlets/?commune={commune_b}").content.decode()
    assert "Xóm 8" not in then and "Xóm 9" in then
    assert "Xóm 8" in now and "Xóm 9" in now
    branches_then = client.get(f"/branches/?commune={commune_b}&active_on=31/12/2020").content.decode()
    branches_now = client.get(f"/branches/?commune={commune_b}").content.decode()
    # The row's link, not the bare code: a page's random CSRF token may contain "B8".
    assert 'href="/branches/B8/"' not in branches_then and 'href="/branches/B8/"' in branches_now
