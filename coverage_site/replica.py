"""Reporting reads from a PostgreSQL read replica (DATABASE_REPLICA_URL).

A replica lags the primary by a moment, so a request reads from it only when
all of these hold:

- it only reads: GET or HEAD;
- its page is a report (REPLICA_VIEWS: dashboards, drill-downs, trends,
  goals, the indicators API), not a form, a list being edited or a workflow
  step;
- the user has not written anything lately: after a request that changes
  data, a cookie (PRIMARY_COOKIE) sends that browser's reads to the primary
  for REPLICA_PIN_SECONDS, so people see their own edit at once;
- no transaction is open (reads inside `atomic()` are part of a write).

Everything else, and every write (the cache's included), goes to the primary.
Without DATABASE_REPLICA_URL none of this applies.
"""

import contextvars

from django.conf import settings
from django.db import connections
from django.urls import Resolver404, resolve

REPLICA = "replica"
PRIMARY_COOKIE = "primary_reads"
REPLICA_VIEWS = {
    "reports:dashboard",
    "reports:drill_down",
    "reports:trend",
    "reports:goals",
    "reports:indicators_api",
}
SAFE_METHODS = ("GET", "HEAD")

_replica_allowed = contextvars.ContextVar("replica_allowed", default=False)


def replica_configured():
    return REPLICA in settings.DATABASES


def reads_from_replica(request):
    """Whether this request's reads may go to the replica (see the module's docstring)."""
    if not replica_configured() or request.method not in SAFE_METHODS or PRIMARY_COOKIE in request.COOKIES:
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in REPLICA_VIEWS


class ReplicaRouter:
    """Django's database router: reads to the replica while the request allows it."""

    def db_for_read(self, model, **hints):
        if _replica_allowed.get() and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaMiddleware:
    """Decides per request where reads go, and pins a browser to the primary
    for a while after it changed something."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _replica_allowed.set(reads_from_replica(request))
        try:
            response = self.get_response(request)
        finally:
            _replica_allowed.reset(token)
        if replica_configured() and request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_cookie(
                PRIMARY_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
