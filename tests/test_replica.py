"""Where reads go (coverage_site/replica.py): reporting pages to a read
replica when one is configured, everything else and every write to the
primary, and a browser's reads to the primary right after it changed something."""

import pytest
from django.db import connections
from django.test import RequestFactory
from django.urls import reverse

from coverage_site import replica

from .conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(replica, "replica_configured", lambda: True)


def request(method="get", path="/dashboard/province/all/", cookies=None):
    made = getattr(RequestFactory(), method)(path)
    made.COOKIES.update(cookies or {})
    return made


def test_without_a_replica_everything_reads_from_the_primary(monkeypatch):
    monkeypatch.setattr(replica, "replica_configured", lambda: False)
    assert not replica.reads_from_replica(request())
    assert replica.ReplicaRouter().db_for_read(None) == "default"


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/province/all/",
        "/dashboard/district/QL/hamlets_without_branch/",
        "/dashboard/district/QL/trend/",
        "/goals/province/all/",
        "/api/v1/indicators",
    ],
)
def test_reports_read_from_the_replica(with_replica, path):
    assert replica.reads_from_replica(request(path=path))


@pytest.mark.parametrize(
    ("method", "path", "cookies"),
    [
        ("post", "/dashboard/province/all/", None),  # not a read
        ("get", "/members/", None),  # a list a clerk edits from
        ("get", "/members/M1/edit/", None),  # a form
        ("get", "/summaries/", None),  # the workflow
        ("get", "/quality/province/all/", None),  # checks a clerk is fixing
        ("get", "/dashboard/province/all/", {replica.PRIMARY_COOKIE: "1"}),  # wrote a moment ago
        ("get", "/no/such/page/", None),
    ],
)
def test_everything_else_reads_from_the_primary(with_replica, method, path, cookies):
    assert not replica.reads_from_replica(request(method, path, cookies))


def test_the_router_sends_reads_to_the_replica_only_outside_transactions(with_replica, monkeypatch):
    router = replica.ReplicaRouter()
    token = replica._replica_allowed.set(True)
    try:
        monkeypatch.setattr(connections["default"], "in_atomic_block", False)
        assert router.db_for_read(None) == "replica"
        monkeypatch.setattr(connections["default"], "in_atomic_block", True)  # reads of a write
        assert router.db_for_read(None) == "default"
    finally:
        replica._replica_allowed.reset(token)
    assert router.db_for_read(None) == "default"  # after the request
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("replica", "hamlets") is False and router.allow_migrate("default", "hamlets")


def test_a_browser_that_saved_something_reads_from_the_primary_for_a_while(
    client, registry, with_replica, settings, monkeypatch
):
    client.force_login(make_user("staff_r", "district_staff", district="D1"))
    assert replica.PRIMARY_COOKIE not in client.get(reverse("reports:dashboard", args=["district", "D1"])).cookies
    response = client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    cookie = response.cookies[replica.PRIMARY_COOKIE]
    assert cookie["max-age"] == settings.REPLICA_PIN_SECONDS and cookie["httponly"]
    # Its next dashboard view reads from the primary (the cookie travels with the client).
    seen = {}
    real = replica.reads_from_replica

    def spy(made):
        seen["replica"] = real(made)
        return seen["replica"]

    monkeypatch.setattr(replica, "reads_from_replica", spy)
    client.get(reverse("reports:dashboard", args=["district", "D1"]))
    assert seen["replica"] is False
