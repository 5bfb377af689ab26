"""The `indicators` command and GET /api/v1/indicators answer the same JSON."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from hamlets.models import District, Profile, Role

pytestmark = pytest.mark.django_db


def make_user(username, role, district=None):
    user = User.objects.create_user(username, password="pw-for-tests-only")
    Profile.objects.create(user=user, role=role, district=district)
    return user


@pytest.fixture
def viewer():
    return make_user("viewer", Role.PROVINCIAL_VIEWER)


def command_json(*args):
    out = StringIO()
    call_command("indicators", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize(
    ("args", "query"),
    [
        (
            ["--unit", "district:QL", "--as-of", "2016-11-10", "--area", "special"],
            "unit=district:QL&as_of=2016-11-10&area=special",
        ),
        (
            ["--unit", "province:all", "--as-of", "2016-06-30", "--by-child"],
            "unit=province:all&as_of=2016-06-30&by_child=1",
        ),
        (["--unit", "commune:QTH", "--as-of", "2016-11-10"], "unit=commune:QTH&as_of=2016-11-10"),
    ],
)
def test_command_and_api_give_identical_json(demo_data, client, viewer, args, query):
    client.force_login(viewer)
    response = client.get(f"/api/v1/indicators?{query}")
    assert response.status_code == 200
    assert response.json() == command_json(*args)


def test_the_api_reads_the_kept_figures_not_every_members_state(demo_data, client, viewer):
    """A second call reads each commune's kept figures: no membership is read
    (the whole country's states took half a minute a call)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(viewer)
    query = "/api/v1/indicators?unit=province:all&as_of=2016-11-10&by_child=1"
    first = client.get(query).json()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(query).json()
    assert again == first == command_json("--unit", "province:all", "--as-of", "2016-11-10", "--by-child")
    assert not [q for q in queries if "hamlets_membership" in q["sql"]]


def test_children_add_up_to_the_parent(demo_data):
    result = command_json("--unit", "province:all", "--as-of", "2016-11-10", "--by-child")
    assert [c["unit"]["code"] for c in result["children"]] == ["HM", "QL"]
    for key, figure in result["indicators"].items():
        for part in ("numerator", "denominator"):
            assert sum(c["indicators"][key][part] for c in result["children"]) == figure[part], key
    assert all("children" not in child for child in result["children"])


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["--unit", "district:XX", "--as-of", "2016-11-10"], "unit"),
        (["--unit", "QL", "--as-of", "2016-11-10"], "unit"),
        (["--unit", "district:QL", "--as-of", "10/11/2016"], "as_of"),
        (["--unit", "district:QL", "--as-of", "2016-11-10", "--area", "mountain"], "area"),
    ],
)
def test_bad_arguments_name_the_argument(demo_data, client, viewer, args, word):
    with pytest.raises(CommandError, match=word):
        command_json(*args)
    client.force_login(viewer)
    query = "&".join(f"{a[2:].replace('-', '_')}={v}" for a, v in zip(args[::2], args[1::2], strict=True))
    response = client.get(f"/api/v1/indicators?{query}")
    assert response.status_code == 400
    assert response.json()["error"].startswith(word)


def test_the_api_needs_a_login(client):
    response = client.get("/api/v1/indicators?unit=province:all&as_of=2016-11-10")
    assert response.status_code == 401


def test_staff_see_their_district_and_get_404_outside_it(demo_data, client):
    staff = make_user("clerk", Role.DISTRICT_STAFF, District.objects.get(code="HM"))
    client.force_login(staff)
    assert client.get("/api/v1/indicators?unit=district:HM&as_of=2016-11-10").status_code == 200
    assert client.get("/api/v1/indicators?unit=commune:QTI&as_of=2016-11-10").status_code == 200
    assert client.get("/api/v1/indicators?unit=district:QL&as_of=2016-11-10").status_code == 404
    assert client.get("/api/v1/indicators?unit=commune:QTH&as_of=2016-11-10").status_code == 404
    assert client.get("/api/v1/indicators?unit=province:all&as_of=2016-11-10").status_code == 404


def test_an_account_without_a_role_sees_nothing(demo_data, client):
    client.force_login(User.objects.create_user("nobody", password="x"))
    assert client.get("/api/v1/indicators?unit=district:QL&as_of=2016-11-10").status_code == 404
