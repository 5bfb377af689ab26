"""InIds (coverage_site/lib/lookups.py): the rows of `field__in`, the ids sent
as one array on PostgreSQL."""

import pytest
from django.db import connection
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext

from coverage_site.lib.lookups import InIds
from hamlets.models import Member

from . import factories as f

pytestmark = pytest.mark.django_db


def test_in_ids_finds_the_rows_of_an_in_list_on_both_databases():
    commune = f.commune(code="LK", name="Xã Lọc")
    hamlets = [f.hamlet(commune, code=f"LK-H{n}") for n in range(3)]
    members = [f.member(hamlet, full_name=f"Lọc {n}") for n, hamlet in enumerate(hamlets)]
    wanted = [hamlets[0].pk, hamlets[2].pk]
    with CaptureQueriesContext(connection) as queries:
        found = set(Member.objects.filter(InIds(F("residence_hamlet_id"), wanted)).values_list("pk", flat=True))
    assert found == set(Member.objects.filter(residence_hamlet_id__in=wanted).values_list("pk", flat=True))
    assert found == {members[0].pk, members[2].pk}
    assert ("= ANY(" in queries[0]["sql"]) == (connection.vendor == "postgresql")
    # Nothing asked: nothing found, and an OR with it keeps the other side.
    assert not Member.objects.filter(InIds(F("pk"), []))
    either = Member.objects.filter(Q(InIds(F("pk"), [])) | Q(InIds(F("pk"), [members[1].pk])))
    assert list(either.values_list("full_name", flat=True)) == ["Lọc 1"]
