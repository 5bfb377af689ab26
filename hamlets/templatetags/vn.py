"""Display helpers: Vietnamese percentages ("56,5%")."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(ratio, digits=1):
    """0.565 -> "56,5%" (in English "56.5%"); None -> "–" (zero denominator)."""
    if ratio is None or ratio == "":
        return "–"
    return f"{number_format(float(ratio) * 100, int(digits))}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def points(change):
    """A change of a ratio in percentage points: 0.028 -> "+2,8 điểm %"; None -> ""."""
    if change is None:
        return ""
    value = number_format(abs(float(change)) * 100, 1)
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return f"{sign}{value} {_('điểm %')}"
