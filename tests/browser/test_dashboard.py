"""A provincial viewer reads the dashboards in a real browser, on a desk and on a phone."""

import pytest

from ..conftest import DEMO
from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_viewer(transactional_db):
    from hamlets.exchange import import_path

    from ..conftest import make_user

    assert import_path(DEMO).ok
    return make_user("viewer", "provincial_viewer")


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_province_to_district_to_commune_to_list(page_factory, demo_viewer, width, height):
    page = page_factory(width=width, height=height)
    log_in(page, "viewer")

    page.goto(page.base + "/dashboard/?as_of=10/11/2016")
    page.wait_for_selector("#cards")
    page.shots("province")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.click("#breakdown >> text=Quỳnh Lưu")  # choose a district
    page.wait_for_selector("h1:has-text('Quỳnh Lưu')")
    page.shots("district")
    page.click("#breakdown >> text=Quỳnh Thanh")  # choose a commune
    page.wait_for_selector("h1:has-text('Quỳnh Thanh')")
    page.shots("commune")
    card = page.locator("a.kpi[data-key=hamlets_without_branch]")
    figure = int(card.locator(".numerator").inner_text().replace(".", ""))
    card.click()  # the card opens its list
    page.wait_for_selector("#row-count")
    page.shots("list")
    assert int(page.inner_text("#row-count strong").replace(".", "")) == figure == 3
    assert page.locator("table.table tbody tr").count() == figure

    page.goto(page.base + "/dashboard/district/QL/trend/?as_of=31/12/2016&area=special")
    page.wait_for_selector("svg")
    page.shots("trend")
    assert page.errors == []
    assert page.outside == []


WHOLE_CARDS_ON_SCREEN = """() => [...document.querySelectorAll('#cards a.kpi')].filter(card => {
  const box = card.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight && box.left >= 0 && box.right <= window.innerWidth;
}).length"""

TABLES_OVERFLOWING_WITHOUT_SCROLL = """() => [...document.querySelectorAll('table')].filter(table => {
  if (table.getBoundingClientRect().right <= window.innerWidth + 1) return false;
  const wrap = table.closest('.table-wrap');
  if (!wrap || getComputedStyle(wrap).overflowX !== 'auto') return true;
  return wrap.getBoundingClientRect().right > window.innerWidth + 1;
}).length"""

# The size a text is drawn at: its font size times the SVG's scale on screen.
SMALLEST_CHART_TEXT = """() => Math.min(...[...document.querySelectorAll('svg text')].map(t => {
  const svg = t.ownerSVGElement;
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return parseFloat(t.getAttribute('font-size')) * scale;
}))"""


def test_a_leader_reads_the_province_on_a_phone(page_factory, demo_viewer):
    """390×844: the menu and filters folded, at least four whole cards on the
    first screen, tables that scroll inside their frame, readable charts."""
    page = page_factory(width=390, height=844)
    log_in(page, "viewer")
    page.goto(page.base + "/dashboard/?as_of=10/11/2016&chart=hamlets_without_branch")
    page.wait_for_selector("#cards")
    page.shots("phone-first-screen")
    assert not page.is_visible("#main-nav") and page.is_visible(".menu-toggle")
    assert not page.is_visible("form.filters")
    assert page.evaluate(WHOLE_CARDS_ON_SCREEN) >= 4
    assert page.evaluate(TABLES_OVERFLOWING_WITHOUT_SCROLL) == 0
    assert page.evaluate(SMALLEST_CHART_TEXT) >= 11
    first = page.locator("#breakdown tbody th").first
    page.locator("#breakdown").evaluate("table => table.closest('.table-wrap').scrollLeft = 400")
    assert first.bounding_box()["x"] <= 20  # the unit's name stays while the figures scroll
    page.click(".menu-toggle")
    assert page.is_visible("#main-nav")
    page.shots("phone-menu")
    page.click("details.fold > summary")
    assert page.is_visible("form.filters")
    assert page.errors == [] and page.outside == []


def test_tables_never_overflow_the_page_on_a_desk(page_factory, demo_viewer):
    page = page_factory(width=1366, height=900)
    log_in(page, "viewer")
    for url in (
        "/dashboard/?as_of=10/11/2016&chart=hamlets_without_branch",
        "/dashboard/district/QL/trend/?as_of=31/12/2016",
    ):
        page.goto(page.base + url)
        page.wait_for_selector("table")
        assert page.evaluate(TABLES_OVERFLOWING_WITHOUT_SCROLL) == 0, url
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), url
        assert page.evaluate(SMALLEST_CHART_TEXT) >= 11, url


def test_the_findings_count_arrives_after_the_figures(page_factory, demo_viewer, monkeypatch):
    """With nothing kept (a province after the cache was emptied), the page
    shows its figures, then fetches the count of open findings into place."""
    from django.core.cache import cache

    from reports import quality, views
    from reports.indicators import get_unit

    monkeypatch.setattr(views, "FINDINGS_COUNTED_INLINE", 0)
    cache.clear()
    page = page_factory(width=1366, height=900)
    log_in(page, "viewer")
    page.goto(page.base + "/dashboard/?as_of=10/11/2016")
    page.wait_for_selector("#cards")
    page.wait_for_selector("#findings-open:not([data-fragment])")
    count = quality.open_count(get_unit("province", "all"))
    assert count > 0
    assert f"{count} điểm cần kiểm tra" in page.inner_text("#findings-open")
    assert page.errors == []
