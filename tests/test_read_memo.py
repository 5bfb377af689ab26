"""Answers kept for one reading request (coverage_site/lib/read_memo.py)."""

import datetime

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from coverage_site.lib.read_memo import ReadMemoMiddleware, remembered


def counting_view(calls):
    def view(request):
        first = remembered("answer", lambda: calls.append(1) or len(calls))
        second = remembered("answer", lambda: calls.append(1) or len(calls))
        return HttpResponse(f"{first},{second}")

    return view


def test_a_get_request_computes_each_answer_once():
    calls = []
    response = ReadMemoMiddleware(counting_view(calls))(RequestFactory().get("/"))
    assert response.content == b"1,1" and len(calls) == 1
    # The next request computes afresh.
    response = ReadMemoMiddleware(counting_view(calls))(RequestFactory().get("/"))
    assert response.content == b"2,2"


def test_a_request_that_writes_and_code_outside_requests_compute_every_time():
    calls = []
    response = ReadMemoMiddleware(counting_view(calls))(RequestFactory().post("/"))
    assert response.content == b"1,2"
    assert remembered("answer", lambda: "fresh") == "fresh"


@pytest.mark.django_db
def test_a_provinces_communes_are_read_once_per_page():
    """The dashboard's many questions about a province's communes on a date
    are answered from one reading (the list handed out is a copy)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hamlets.models import Province
    from hamlets.placement import communes_of_province

    from . import factories as f

    province = Province.objects.create(code="NA", name="Nghệ An")
    commune = f.commune(code="A", name="Xã A", province=province)
    day = datetime.date(2026, 1, 1)
    calls = []

    def view(request):
        with CaptureQueriesContext(connection) as queries:
            first = communes_of_province(province.pk, day)
            first.append("changed by the caller")
            second = communes_of_province(province.pk, day)
        calls.append(len(queries))
        return HttpResponse(repr(second))

    response = ReadMemoMiddleware(view)(RequestFactory().get("/"))
    assert response.content.decode() == repr([commune.pk])
    with CaptureQueriesContext(connection) as outside:
        communes_of_province(province.pk, day)
    assert calls[0] == len(outside)  # the second asking read nothing
