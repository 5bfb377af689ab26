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
