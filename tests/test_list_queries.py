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
    from django.core.cache import cache

    cache.clear()  # both counts from an empty cache (the home page reads the communes' cached figures)
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


def test_a_province_of_branches_is_offered_commune_by_commune(registry, client, monkeypatch):
    """Beyond BRANCH_CHOICES_LIMIT branches the member list's branch drop-down
    waits for a commune: thousands of options nobody can pick from made the
    page 225 KB. A branch asked for directly still filters."""
    import re

    from hamlets.filters import ScopedFilterSet
    from hamlets.models import Branch, Commune

    from .conftest import make_user

    monkeypatch.setattr(ScopedFilterSet, "BRANCH_CHOICES_LIMIT", 2)
    client.force_login(make_user("viewer", "provincial_viewer"))
    url = reverse("hamlets:member_list")

    def branch_options(params):
        page = client.get(url, params).content.decode()
        select = re.search(r'<select name="branch".*?</select>', page, re.S).group(0)
        return re.findall(r"<option[^>]*>([^<]*)</option>", select)

    assert branch_options({}) == ["— chọn xã trước —"]
    c2 = Commune.objects.get(code="C2")
    names = sorted(f"{b.name} — {c2.name}" for b in Branch.objects.filter(commune=c2))
    assert names and sorted(branch_options({"commune": c2.pk})[1:]) == names
    branch = Branch.objects.filter(commune=c2).first()
    page = client.get(url, {"branch": branch.pk})
    assert page.status_code == 200 and "errorlist" not in page.content.decode()
