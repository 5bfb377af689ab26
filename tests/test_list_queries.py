"""List pages run the same number of queries whatever the number of rows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hamlets.models import AdmissionTarget, BranchRating, Candidate

from . import factories as f

pytestmark = pytest.mark.django_db

LISTS = [
    "home",
    "hamlets:commune_list",
    "hamlets:hamlet_list",
    "hamlets:branch_list",
    "hamlets:member_list",
    "hamlets:villagehead_list",
    "hamlets:candidate_list",
    "hamlets:admissiontarget_list",
    "hamlets:branchrating_list",
]


def grow(commune, n):
    for i in range(n):
        hamlet = f.hamlet(commune, areas=["religious"])
        branch = f.branch(commune, [hamlet])
        people = f.members_in(branch, 3, residence=hamlet)
        f.secretary(branch, people[0])
        f.head(hamlet, member=people[1])
        Candidate.objects.create(
            code=f.code("QC"),
            full_name="Ứng Viên",
            hamlet=hamlet,
            identified_on=datetime.date(2015, 1, 1),
            status="cultivating",
        )
        BranchRating.objects.create(branch=branch, year=2015, rating="good")
        AdmissionTarget.objects.create(commune=f.commune(commune.district), year=2016, target=i)


def count(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("role", ["staff", "viewer"])
def test_query_count_does_not_grow_with_rows(client, cast, name, role):
    from hamlets.models import District

    client.force_login(cast[role])
    commune = f.commune(District.objects.get(code="D1"))
    url = reverse(name) + ("?as_of=10/11/2016" if name == "home" else "")
    grow(commune, 1)
    few = count(client, url)
    grow(commune, 12)
    assert count(client, url) == few
