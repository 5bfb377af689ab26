"""Browser tests: Playwright driving Debian's Chromium against a live server.

Screenshots of every step are kept in test-output/browser/. Chromium is
installed by `make test` (apt); set SKIP_BROWSER_TESTS=1 to skip these tests
on a machine where it cannot be installed.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# of the fixtures run in that same thread, outside the loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if os.environ.get("SKIP_BROWSER_TESTS") == "1":
        skip = pytest.mark.skip(reason="SKIP_BROWSER_TESTS=1")
        for item in items:
            if "browser" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it (apt package chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class Shots:
    """Numbered screenshots of one test, in test-output/browser/<test>/."""

    def __init__(self, page, name):
        self.page, self.folder, self.count = page, OUTPUT / name, 0
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)

    def __call__(self, step):
        self.count += 1
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{step}.png"), full_page=True)


@pytest.fixture
def page_factory(browser, live_server, request):
    contexts = []

    def make(width=1366, height=900, bypass_csp=False):
        # bypass_csp only for the accessibility checks, which inject axe-core into the page.
        viewport = {"width": width, "height": height}
        context = browser.new_context(viewport=viewport, locale="vi-VN", bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.errors, page.outside, page.csp_violations = [], [], []

        def on_console(message):
            if message.type == "error":
                page.errors.append(message.text)
            if "Content Security Policy" in message.text:
                page.csp_violations.append(message.text)

        page.on("console", on_console)
        # Confirmation dialogs (data-confirm) are answered "OK", as a user who means it would.
        page.on("dialog", lambda dialog: dialog.accept())
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))

        def check_request(req):
            if not req.url.startswith(live_server.url) and not req.url.startswith("data:"):
                page.outside.append(req.url)

        page.on("request", check_request)
        page.base = live_server.url
        page.shots = Shots(page, request.node.name)
        return page

    yield make
    violations = [v for context in contexts for p in context.pages for v in p.csp_violations]
    for context in contexts:
        context.close()
    # Any page of any browser test that breaks the Content-Security-Policy fails it.
    assert violations == [], violations


@pytest.fixture
def browser_data(transactional_db):
    """The tests' small data set, committed so the live server sees it."""
    from hamlets.exchange import import_sheets

    from ..conftest import make_user
    from ..sheets import base, raw

    assert import_sheets(raw(base())).ok
    return {
        "staff": make_user("staff_d1", "district_staff", district="D1"),
        "viewer": make_user("viewer", "provincial_viewer"),
    }


def log_in(page, username):
    """Log in through the login page, as a person would."""
    from ..conftest import PASSWORD

    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(page.base + "/")
