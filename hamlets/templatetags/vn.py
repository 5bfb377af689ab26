"""Display helpers: Vietnamese percentages ("56,5%")."""

import functools
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def _number(value, digits):
    """Rounded (half up), then written with the active language's marks.

    number_format alone cuts the digits of a float: 56.488 would show as 56,4."""
    rounded = Decimal(value if isinstance(value, Decimal) else str(value)).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP
    )
    return _written(rounded, digits, get_language(), settings.USE_THOUSAND_SEPARATOR)


@functools.lru_cache(maxsize=8192)
def _written(rounded, digits, language, grouping):
    """number_format, remembered per language: a province's breakdown writes
    1,600 percentages, most of them the same few hundred values."""
    return number_format(rounded, digits)


def exact_percent(numerator, denominator):
    """100·n/d as an exact Decimal (None for a zero denominator).

    A percentage is made from the numerator and denominator once: made from
    the engine's 4-decimal ratio it would be rounded twice (17/37 = 0.4595
    -> 46,0% instead of 45,9%)."""
    if not denominator:
        return None
    return Decimal(numerator) * 100 / Decimal(denominator)


def figure_terms(value):
    """(numerator, denominator) of a figure (a dict or an object with both), else None."""
    if isinstance(value, dict):
        if "numerator" in value and "denominator" in value:
            return value["numerator"], value["denominator"]
        return None
    if hasattr(value, "numerator") and hasattr(value, "denominator") and not isinstance(value, (int, float, Decimal)):
        return value.numerator, value.denominator
    return None


@register.filter
def percent(value, digits=1):
    """A figure {numerator, denominator} -> its exact percentage, rounded half
    up once: 17/37 -> "45,9%" (in English "45.9%"); a zero denominator -> "–".
    A bare ratio (an axis label) is rounded as it is: 0.5 -> "50,0%"."""
    terms = figure_terms(value)
    if terms is not None:
        exact = exact_percent(*terms)
        return "–" if exact is None else f"{_number(exact, int(digits))}%"
    if value is None or value == "":
        return "–"
    return f"{_number(Decimal(str(value)) * 100, int(digits))}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def points(change):
    """A change of a ratio in percentage points: 0.028 -> "+2,8 điểm %"; None -> ""."""
    if change is None:
        return ""
    value = _number(abs(float(change)) * 100, 1)
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return f"{sign}{value} {_('điểm %')}"


@register.filter
def risk_conditions(conditions):
    """A branch's at-risk conditions as words (reports.indicators.risk_text)."""
    from reports.indicators import risk_text

    return risk_text(conditions)


@register.filter
def history_action(entry):
    """A history entry's kind of change, in the interface's language."""
    return {"+": _("Tạo mới"), "~": _("Sửa"), "-": _("Xóa")}.get(entry.history_type, entry.history_type)


@register.filter
def history_label(entry):
    """How a change log names the record of a history entry, from the entry's
    own fields: str(entry.instance) would query related records, once per row."""
    kind = entry.instance_type._meta.verbose_name
    name = getattr(entry, "full_name", None) or getattr(entry, "name", None)
    code = getattr(entry, "code", None)
    if name or code:
        return f"{kind} {code or ''} {name or ''}".strip()
    start = getattr(entry, "joined_on", None) or getattr(entry, "start_on", None)
    if start:
        return f"{kind} {_('từ')} {start:%d/%m/%Y}"
    return f"{kind} #{entry.id}"


@register.filter
def dmy(value):
    """A date, or a date written YYYY-MM-DD (as in a frozen summary), as dd/mm/yyyy."""
    import datetime

    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return f"{value:%d/%m/%Y}" if isinstance(value, datetime.date) else value
