"""What an operator meets: error pages, a TLS proxy, `migrate` alone, a
database restart, the Content-Security-Policy, `check --deploy`."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.signals import request_started
from django.db import connection
from django.test import Client
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def manage(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **(env or {})},
        timeout=timeout,
    )


# --- error pages ----------------------------------------------------------------------------


def test_a_missing_page_is_vietnamese_in_the_site_s_layout(client, cast):
    client.force_login(cast["staff"])
    response = client.get("/hamlets/NO-SUCH-HAMLET/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang" in page and 'class="brand"' in page
    assert "Traceback" not in page


def test_a_forbidden_write_is_vietnamese(client, cast):
    client.force_login(cast["viewer"])
    response = client.get(reverse("hamlets:member_admit"))
    assert response.status_code == 403
    assert "Không có quyền" in response.content.decode()


def test_a_server_error_is_vietnamese_without_details(rf):
    from django.views.defaults import bad_request, server_error

    page = server_error(rf.get("/")).content.decode()
    assert "Đã có lỗi ở máy chủ" in page and "không có gì được ghi dở dang" in page
    assert "Traceback" not in page
    page = bad_request(rf.get("/"), Exception("secret detail")).content.decode()
    assert "Yêu cầu không hợp lệ" in page and "secret detail" not in page


def test_a_stale_form_is_refused_in_vietnamese(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "staff_d1", "password": PASSWORD})
    assert response.status_code == 403
    assert "Không gửi được biểu mẫu" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        reverse("hamlets:member_list") + "?_export=",
        reverse("reports:drill_down", args=["district", "D1", "members_elderly"]) + "?_export=",
        reverse("reports:dashboard", args=["district", "D1"]) + "?export=",
    ],
)
@pytest.mark.parametrize("export_format", ["yaml", "ods", "xls", "json", "latex", "html", "tsv"])
def test_only_the_offered_export_formats_are_accepted(client, cast, url, export_format):
    client.force_login(cast["staff"])
    response = client.get(url + export_format)
    assert response.status_code == 400
    assert "chỉ có csv, xlsx" in response.content.decode()


# --- behind a TLS proxy ----------------------------------------------------------------------


def test_a_login_through_a_tls_proxy_passes_the_csrf_check(cast, settings):
    """The browser sends Origin: https://…; gunicorn receives http from nginx."""
    settings.ALLOWED_HOSTS = ["chibo.example"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.CSRF_TRUSTED_ORIGINS = ["https://chibo.example"]
    client = Client(enforce_csrf_checks=True)
    proxied = {"HTTP_HOST": "chibo.example", "HTTP_X_FORWARDED_PROTO": "https"}
    client.get(reverse("login"), **proxied)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        reverse("login"),
        {"username": "staff_d1", "password": PASSWORD, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="https://chibo.example",
        **proxied,
    )
    assert response.status_code == 302


PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Kq2-production-like-secret-key-with-more-than-fifty-characters-9aZ",
    "ALLOWED_HOSTS": "chibo.example",
    "CSRF_TRUSTED_ORIGINS": "https://chibo.example",
    "BEHIND_TLS_PROXY": "1",
}


def test_the_documented_production_configuration_passes_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    for name in PRODUCTION_ENV:
        assert name in readme


def test_a_misspelt_boolean_refuses_to_start():
    result = manage("check", env={**PRODUCTION_ENV, "BEHIND_TLS_PROXY": "ture"})
    assert result.returncode != 0 and "BEHIND_TLS_PROXY='ture'" in result.stderr


# --- migrate alone ----------------------------------------------------------------------------


def test_migrate_alone_leaves_a_site_where_logging_in_works(tmp_path):
    """No separate createcachetable step: the cache table comes with the migrations."""
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    assert manage("migrate", "-v0", env=env).returncode == 0
    script = (
        "from django.contrib.auth.models import User; from django.test import Client;"
        "User.objects.create_user('u', password='pw-long-enough-1');"
        "r = Client().post('/accounts/login/', {'username': 'u', 'password': 'pw-long-enough-1'});"
        "from django.core.cache import cache; cache.set('k', 1);"
        "print('LOGIN', r.status_code, cache.get('k'))"
    )
    result = manage("shell", "-c", script, env={**env, "ALLOWED_HOSTS": "testserver"})
    assert "LOGIN 302 1" in result.stdout, result.stdout + result.stderr


# --- a database restart -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_costs_no_request():
    """What a PostgreSQL restart does to a server process's persistent
    connection: the next request checks it, opens a new one, and answers."""
    if connection.vendor != "postgresql":
        pytest.skip("persistent connections are a PostgreSQL matter (SQLite: CONN_MAX_AGE 0)")
    from django.db import connections

    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.ensure_connection()
    victim = connection.connection.info.backend_pid
    with connections.create_connection("default").cursor() as other:
        other.execute("SELECT pg_terminate_backend(%s)", [victim])
    # A request begins as in a gunicorn worker: Django checks old connections.
    request_started.send(sender=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != victim


# --- Content-Security-Policy ----------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy(client, cast):
    client.force_login(cast["staff"])
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "http" not in policy


def test_no_template_has_inline_script_style_or_handlers():
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"")
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in inline.finditer(path.read_text())
    ]
    assert offenders == []
