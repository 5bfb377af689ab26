"""Figures are written the Vietnamese way, correctly rounded."""

from django.utils import translation

from hamlets.templatetags.vn import percent, points


def test_percentages_round_and_use_a_decimal_comma():
    with translation.override("vi"):
        assert percent(74 / 131) == "56,5%"  # the article's trained secretaries
        assert percent(19 / 303) == "6,3%"
        assert percent(None) == "–"
        assert points(-0.0286) == "−2,9 điểm %"
    with translation.override("en"):
        assert percent(74 / 131) == "56.5%"
