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
