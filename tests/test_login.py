"""Personal logins: failed attempts are throttled per user name (django-axes)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_failed_logins_are_throttled(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(2):
        response = client.post(url, {"username": "staff_d1", "password": "wrong"})
        assert response.status_code == 200
        assert "quá nhiều lần" not in response.content.decode()
    # The third failure locks the account; the right password is then refused too.
    assert client.post(url, {"username": "staff_d1", "password": "wrong"}).status_code == 429
    response = client.post(url, {"username": "staff_d1", "password": PASSWORD})
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_user_from_the_same_address_still_logs_in(client, cast, settings):
    """Behind a proxy every request has one address: five wrong passwords for
    one account must not lock out the province."""
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(5):
        client.post(url, {"username": "staff_d1", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    other = Client()
    response = other.post(url, {"username": "staff_d2", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302
    assert other.session["_auth_user_id"] == str(cast["other_staff"].pk)


def test_a_good_login_clears_the_count(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(2):
        client.post(url, {"username": "staff_d1", "password": "wrong"})
    assert client.post(url, {"username": "staff_d1", "password": PASSWORD}).status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        client.post(url, {"username": "staff_d1", "password": "wrong"})
    assert client.post(url, {"username": "staff_d1", "password": PASSWORD}).status_code == 302


def test_every_attempt_is_kept_for_the_administrators(client, cast):
    from axes.models import AccessAttempt, AccessLog

    client.post(reverse("login"), {"username": "staff_d1", "password": "wrong"})
    client.post(reverse("login"), {"username": "staff_d1", "password": PASSWORD})
    assert AccessLog.objects.filter(username="staff_d1").count() == 1
    assert AccessAttempt.objects.filter(username="staff_d1").exists() is False  # reset by the good login


def test_the_client_address_comes_from_a_trusted_proxy_only(rf, settings):
    from coverage_site.lib.addresses import client_address

    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 10.0.0.1"}
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.1", **forwarded)) == "203.0.113.9"
    # The same header from anyone else is not believed.
    assert client_address(rf.get("/", REMOTE_ADDR="198.51.100.7", **forwarded)) == "198.51.100.7"
    settings.TRUSTED_PROXIES = []
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.1", **forwarded)) == "10.0.0.1"


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_guesses_never_evaluates_more_than_the_limit(cast, settings, monkeypatch):
    """30 guesses at once: at most the limit are checked against the password."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is not shared between threads")
    from django.contrib.auth.backends import ModelBackend

    settings.AXES_FAILURE_LIMIT = 5
    evaluated = []
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        evaluated.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    statuses = []

    def guess():
        statuses.append(Client().post(reverse("login"), {"username": "staff_d1", "password": "wrong"}).status_code)
        connection.close()

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(evaluated) == 5
    # Four wrong answers, the fifth locks the account, the other 25 are refused unseen.
    assert statuses.count(200) == 4 and statuses.count(429) == 26


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_the_interface_is_vietnamese_by_default_and_english_on_request(client, cast):
    client.force_login(cast["staff"])
    page = client.get(reverse("hamlets:member_list")).content.decode()
    assert '<html lang="vi">' in page and "Tìm (không cần dấu)" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("hamlets:member_list")).content.decode()
    assert '<html lang="en">' in page and "Search (diacritics optional)" in page
    assert "Hamlets without a branch" in client.get(reverse("home")).content.decode()


def test_an_english_browser_still_gets_vietnamese_until_the_user_chooses(client, cast):
    client.force_login(cast["staff"])
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in page


def test_each_role_is_named_in_vietnamese_and_a_commune_account_as_such(client, cast):
    from hamlets.permissions import role_label

    assert role_label(cast["staff"]) == "cán bộ huyện (nhập liệu)"
    assert role_label(cast["commune_staff"]) == "cán bộ xã (nhập liệu)"
    assert role_label(cast["approver"]) == "lãnh đạo tỉnh (duyệt)"
    client.force_login(cast["commune_staff"])
    assert "staff_c2 · cán bộ xã (nhập liệu)" in client.get(reverse("home")).content.decode()
