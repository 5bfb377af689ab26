"""Display helpers: Vietnamese percentages ("56,5%")."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


def _number(value, digits):
    """Rounded (half up), then written with the active language's marks.

    number_format alone cuts the digits of a float: 56.488 would show as 56,4."""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return number_format(rounded, digits)


@register.filter
def percent(ratio, digits=1):
    """0.565 -> "56,5%" (in English "56.5%"); None -> "–" (zero denominator)."""
    if ratio is None or ratio == "":
        return "–"
    return f"{_number(float(ratio) * 100, int(digits))}%"


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
def history_label(entry):
    """How a change log names the record of a history entry, from the entry's
    own fields: str(entry.instance) would query related records, once per row."""
    kind = entry.instance_type._meta.verbose_name
    name = getattr(entry, "full_name", None) or getattr(entry, "name", None)
    code = getattr(entry, "code", None)
    if name or code:
        return f"{kind} {code or ''} {name or ''}".strip()
    return f"{kind} #{entry.id}"
