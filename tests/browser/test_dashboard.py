"""A provincial viewer reads the dashboards in a real browser, on a desk and on a phone."""

import pytest

from ..conftest import DEMO, PASSWORD

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
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", "viewer")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(page.base + "/")

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
