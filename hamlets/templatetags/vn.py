"""Display helpers: Vietnamese percentages ("56,5%")."""

from django import template
from django.utils.formats import number_format

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
