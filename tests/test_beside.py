"""Work run beside a request (coverage_site/lib/beside.py): a cold
dashboard's data-check count is counted in a thread of its own on
PostgreSQL, and gives the same count as counting it in line."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from coverage_site.lib import beside
from coverage_site.lib.dates import today
from hamlets.models import Member
from reports import quality
from reports.indicators import get_unit

from . import factories as f
from .conftest import make_user

ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def no_pending_versions():
    """Communes an earlier test's rolled-back writes left to bump."""
    from reports import versions

    versions._pending.__dict__.clear()


def members_named(prefix):
    return sorted(Member.objects.filter(full_name__startswith=prefix).values_list("full_name", flat=True))


@pytest.mark.django_db
def test_inside_a_transaction_the_work_runs_in_line_and_sees_the_transactions_rows():
    commune = f.commune(code="BX", name="Xã Bên")
    f.member(f.hamlet(commune, code="BX-H1"), full_name="Bên Một")
    work = beside.Beside(members_named, "Bên")
    # A second connection would not see the row written in this (test) transaction.
    assert not work.in_thread
    assert work.result() == ["Bên Một"]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_postgresql_runs_it_in_a_thread_with_its_own_connection():
    commune = f.commune(code="BY", name="Xã Bên Hai")
    f.member(f.hamlet(commune, code="BY-H1"), full_name="Bên Hai")
    work = beside.Beside(members_named, "Bên")
    assert work.in_thread == ON_POSTGRESQL
    assert work.result() == ["Bên Hai"]

    def fails():
        raise ValueError("hỏng")

    with pytest.raises(ValueError, match="hỏng"):
        beside.Beside(fails).result()


@pytest.mark.django_db(transaction=True)
def test_a_cold_dashboard_counts_its_findings_beside_the_figures(client, monkeypatch):
    commune = f.commune(code="BZ", name="Xã Bên Ba")
    hamlet = f.hamlet(commune, code="BZ-H1")
    branch = f.branch(commune, [hamlet], code="BZ-B1")
    for name in ("Dự Bị Một", "Dự Bị Hai"):  # two overdue probationers
        member = f.member(hamlet, full_name=name, admitted_on=today() - datetime.timedelta(days=500), official=False)
        f.join(member, branch)
    started = []
    real = beside.Beside

    def watched(function, *args):
        work = real(function, *args)
        started.append(work.in_thread)
        return work

    monkeypatch.setattr(beside, "Beside", watched)
    cache.clear()
    client.force_login(make_user("bz_viewer", "admin"))
    html = client.get(reverse("reports:dashboard", args=["commune", "BZ"])).content.decode()
    start = html.index('id="findings-open"')
    # The same as the checks found in line: the two probationers, the branch
    # without a secretary and the hamlet without a head.
    in_line = sum(len(list(check.find(None, today()))) for check in quality.CHECKS)
    assert in_line == 4 and len(list(quality.CHECK_BY_KEY["overdue_probation"].find(None, today()))) == 2
    assert "4 điểm cần kiểm tra" in html[start : html.index("</p>", start)]
    assert started == [ON_POSTGRESQL]
    # Counted and kept: the next view reads it at once, nothing is started.
    assert quality.open_count(get_unit("commune", "BZ")) == 4
    client.get(reverse("reports:dashboard", args=["commune", "BZ"]))
    assert started == [ON_POSTGRESQL]
