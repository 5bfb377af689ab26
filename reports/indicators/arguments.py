"""The text arguments of the `indicators` command and the API."""

import datetime

from coverage_site.lib import dates

from .compute import compute
from .units import UnknownArea, UnknownUnit, check_area, parse_unit


class BadArgument(ValueError):
    """A bad --unit/--as-of/--area (unit=/as_of=/area= in the API); the
    message names the argument."""


def parse_arguments(*, unit, as_of, area=None):
    """(Unit, date, area) from the text arguments of the command and the API."""
    try:
        day = datetime.date.fromisoformat(as_of or "")
    except ValueError:
        raise BadArgument(f"as_of: ngày không hợp lệ “{as_of}” (cần YYYY-MM-DD).") from None
    if not dates.in_range(day):
        raise BadArgument(f"as_of: {dates.range_message()}")
    try:
        resolved = parse_unit(unit)
    except UnknownUnit:
        raise BadArgument(
            f"unit: không có đơn vị “{unit}” (cần province:all, province:MÃ, district:MÃ hoặc commune:MÃ)."
        ) from None
    try:
        area = check_area(area)
    except UnknownArea:
        raise BadArgument(f"area: không có vùng “{area}” (special hoặc mã vùng đặc thù).") from None
    return resolved, day, area


def compute_from_arguments(*, unit, as_of, area=None, by_child=False, restated=False):
    """Shared by the command and the API, so both answer the same JSON."""
    return compute(*parse_arguments(unit=unit, as_of=as_of, area=area), by_child, restated=restated)
