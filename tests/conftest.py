import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from hamlets.exchange import import_path

DEMO = Path(settings.BASE_DIR) / "fixtures" / "demo"


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data set, imported once per module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = import_path(DEMO)
        assert result.ok, result.errors[:5]
        yield result
        transaction.set_rollback(True)


@pytest.fixture
def day():
    return datetime.date


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs ~0.2 s per user; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PASSWORD = "pw-for-tests-only"


@pytest.fixture
def registry(db):
    """The small data set of tests/sheets.py (district D1) plus a second
    district D2 with one commune, hamlet, branch and member."""
    from hamlets.exchange import import_sheets

    from .sheets import base, raw

    tables = base()
    tables["districts"].append(["D2", "Huyện Hai", "", ""])
    tables["communes"].append(["C3", "Xã Ba", "D2", "", ""])
    tables["hamlets"].append(["H4", "Xóm Bốn", "C3", "xom", "", "", ""])
    tables["branches"].append(["B4", "Chi bộ xóm Bốn", "C3", "H4", "2000-01-01", ""])
    tables["members"].append(
        ["M4", "Võ Thị Lan", "female", "1975-01-01", "Kinh", "", "H4", "2000-05-05", "2001-05-05", "", ""]
    )
    tables["memberships"].append(["M4", "B4", "2000-05-05", "", "", "false"])
    result = import_sheets(raw(tables))
    assert result.ok, result.errors
    return result


def make_user(username, role, district=None, commune=None):
    from django.contrib.auth.models import User

    from hamlets.models import Commune, District, Profile

    user = User.objects.create_user(username, password=PASSWORD)
    if role == "admin":
        user.is_staff = user.is_superuser = True
        user.save()
    Profile.objects.create(
        user=user,
        role=role,
        district=District.objects.get(code=district) if district else None,
        commune=Commune.objects.get(code=commune) if commune else None,
    )
    return user


@pytest.fixture
def cast(registry):
    """The fixed cast: staff of two districts, a commune account, a viewer, an approver, an admin."""
    return {
        "staff": make_user("staff_d1", "district_staff", district="D1"),
        "other_staff": make_user("staff_d2", "district_staff", district="D2"),
        "commune_staff": make_user("staff_c2", "district_staff", commune="C2"),
        "viewer": make_user("viewer", "provincial_viewer"),
        "approver": make_user("approver", "provincial_approver"),
        "admin": make_user("admin", "admin"),
    }


@pytest.fixture(autouse=True)
def jobs_run_at_once(settings, tmp_path):
    """Background jobs run in the request (django-tasks' immediate backend),
    their progress in a private folder; tests of the queue itself override it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CACHES = {
        **settings.CACHES,
        "progress": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)},
    }
