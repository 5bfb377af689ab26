"""axe-core finds no serious or critical accessibility problem on the pages
people use most, on a desk and on a phone.

axe-core comes from the npm registry (package.json; `make test` installs it)
and is injected by the test only: the pages' Content-Security-Policy would
refuse it, so these contexts bypass it (every other browser test enforces it).
"""

from pathlib import Path

import pytest

from ..conftest import DEMO
from .conftest import log_in

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
}"""


@pytest.fixture
def demo_people(transactional_db):
    from hamlets.exchange import import_path

    from ..conftest import make_user

    assert import_path(DEMO).ok
    return {
        "clerk": make_user("clerk", "district_staff", district="QL"),
        "viewer": make_user("viewer", "provincial_viewer"),
    }


def violations(page):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test`, which installs axe-core from the npm registry.")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(SERIOUS)


PAGES = {
    "viewer": [
        "/dashboard/province/all/?as_of=10/11/2016",
        "/dashboard/district/QL/hamlets_without_branch/?as_of=10/11/2016",
        "/summaries/district/QL/2016-11/",
    ],
    "clerk": [
        "/?as_of=10/11/2016",
        "/members/",
        "/members/admit/",
    ],
}


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_no_serious_accessibility_problem(page_factory, demo_people, width, height):
    found = {}
    page = page_factory(width=width, height=height, bypass_csp=True)
    page.goto(page.base + "/accounts/login/")
    found["/accounts/login/"] = violations(page)
    for username, urls in PAGES.items():
        page = page_factory(width=width, height=height, bypass_csp=True)
        log_in(page, username)
        for url in urls:
            page.goto(page.base + url)
            found[url] = violations(page)
    assert {url: problems for url, problems in found.items() if problems} == {}


def test_a_long_drop_down_can_be_searched_by_typing(page_factory, demo_people):
    page = page_factory()
    log_in(page, "clerk")
    page.goto(page.base + "/members/admit/")
    options = page.locator("#id_branch option")
    assert options.count() > 100  # every branch of the district
    page.fill("#id_branch ~ input.select-filter, input.select-filter[aria-controls=id_branch]", "xom 15 quynh minh")
    shown = page.evaluate(
        "() => [...document.querySelectorAll('#id_branch option')].filter(o => !o.hidden && o.value).map(o => o.text)"
    )
    assert shown == ["Chi bộ Xóm 15 — Quỳnh Minh"]
    page.select_option("#id_branch", label="Chi bộ Xóm 15 — Quỳnh Minh")
    assert page.errors == []
