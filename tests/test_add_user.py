"""`manage.py add_user` creates personal accounts with a role and a scope."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_it_creates_a_district_staff_account(registry, monkeypatch):
    monkeypatch.setenv("NEW_USER_PASSWORD", "a-long-Password-2016")
    call_command("add_user", "clerk", "--role", "district_staff", "--district", "D1")
    user = User.objects.get(username="clerk")
    assert user.check_password("a-long-Password-2016")
    assert (user.profile.role, user.profile.district.code, user.is_staff) == ("district_staff", "D1", False)


def test_it_creates_an_administrator(registry, monkeypatch):
    monkeypatch.setenv("NEW_USER_PASSWORD", "a-long-Password-2016")
    call_command("add_user", "boss", "--role", "admin")
    assert User.objects.get(username="boss").is_superuser


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["x", "--role", "district_staff"], "--district"),
        (["x", "--role", "district_staff", "--district", "NOPE"], "--district"),
        (["x", "--role", "district_staff", "--commune", "NOPE"], "--commune"),
        (["x", "--role", "provincial_viewer", "--district", "D1"], "--district"),
        (["x", "--role", "provincial_viewer", "--province", "NOPE"], "--province"),
        (["x", "--role", "admin", "--province", "P1"], "--province"),
    ],
)
def test_bad_arguments_are_refused(registry, monkeypatch, args, word):
    from hamlets.models import Province

    Province.objects.create(code="P1", name="Tỉnh Một")
    monkeypatch.setenv("NEW_USER_PASSWORD", "a-long-Password-2016")
    with pytest.raises(CommandError, match=word):
        call_command("add_user", *args)
    assert not User.objects.filter(username="x").exists()


def test_it_creates_a_provinces_approver(registry, monkeypatch):
    from hamlets.models import Province

    Province.objects.create(code="P1", name="Tỉnh Một")
    monkeypatch.setenv("NEW_USER_PASSWORD", "a-long-Password-2016")
    call_command("add_user", "lead", "--role", "provincial_approver", "--province", "P1")
    profile = User.objects.get(username="lead").profile
    assert (profile.role, profile.province.code) == ("provincial_approver", "P1")


def test_weak_passwords_are_refused(registry, monkeypatch):
    monkeypatch.setenv("NEW_USER_PASSWORD", "123")
    with pytest.raises(CommandError, match="Mật khẩu"):
        call_command("add_user", "weak", "--role", "provincial_viewer")
