"""An administrator enters a hamlet merger from its resolution, previews it,
applies it, and sees the reform marked on the commune's trend."""

import pytest

from hamlets.models import Hamlet, Reorganisation

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_administrator_enters_previews_and_applies_a_hamlet_merger(page_factory, browser_data):
    from ..conftest import make_user

    make_user("quantri", "admin")
    page = page_factory()
    log_in(page, "quantri")
    page.click("text=Sắp xếp đơn vị")
    page.wait_for_selector("h1:has-text('Sắp xếp đơn vị')")
    page.shots("list-empty")
    page.click("text=Nhập lần sắp xếp")
    page.fill("#id_code", "NQ08-2019-C1")
    page.select_option("#id_level", "hamlet")
    page.select_option("#id_kind", "merge")
    page.fill("#id_effective_on", "12/07/2019")
    page.fill("#id_act_number", "08/NQ-HĐND")
    page.fill("#id_act_date", "12/07/2019")
    page.fill("#id_act_issuer", "HĐND tỉnh Nghệ An")
    page.fill("#id_predecessors", "H1, H2")
    page.fill("#id_successors", "H12; Xóm Một Hai; 240")
    page.shots("form")
    page.click("main button[type=submit]")
    page.wait_for_selector("#preview")
    page.shots("preview")
    preview = page.inner_text("#preview")
    assert "Thành lập Xóm Một Hai (mã H12)." in preview
    assert "Giải thể thôn, xóm H1 (Xóm Một)." in preview
    assert not Hamlet.objects.filter(code="H12").exists()

    page.click("#apply")  # the confirmation dialog is accepted
    page.wait_for_selector("#status:has-text('đã áp dụng')")
    page.shots("applied")
    assert Reorganisation.objects.get(code="NQ08-2019-C1").status == "applied"

    page.goto(page.base + "/hamlets/H12/")
    lineage = page.inner_text("#lineage")
    assert "Sáp nhập từ" in lineage and "Xóm Một" in lineage and "08/NQ-HĐND ngày 12/7/2019" in lineage
    page.shots("hamlet-lineage")

    page.goto(page.base + "/dashboard/commune/C1/trend/?as_of=30/11/2026&period=years")
    page.wait_for_selector(".reform-marker", state="attached")
    assert "08/NQ-HĐND" in page.inner_text("#reforms")
    page.shots("trend-marker")
    assert page.errors == [] and page.outside == []
