"""Personal logins: failed attempts are throttled."""

import pytest
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_failed_logins_are_throttled(client, cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(3):
        response = client.post(url, {"username": "staff_d1", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(url, {"username": "staff_d1", "password": PASSWORD})
    assert response.status_code == 200
    assert "quá nhiều lần" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_good_login_lands_on_the_home_page(client, cast):
    response = client.post(reverse("login"), {"username": "staff_d1", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert "Thôn, xóm chưa có chi bộ" in page


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
