"""Date helpers: ages and year arithmetic as indicators.md defines them."""

import contextlib
import contextvars
import datetime


def add_years(day, years):
    """The same calendar date `years` later (earlier if negative).

    29 February maps to 28 February in a common year, so that "D minus 5
    years" never lands after the true anniversary.
    """
    year = day.year + years
    # A date typed as 31/12/9999 must give a wrong answer to a rule, not a crash:
    # beyond the calendar's ends the result is its first or last day.
    if year > datetime.MAXYEAR:
        return datetime.date.max
    if year < datetime.MINYEAR:
        return datetime.date.min
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return day.replace(year=year, day=28)


def birthday_cutoff(as_of, age):
    """Latest birth date of someone who is at least `age` on `as_of`.

    Age is in completed years and someone born on 29 February turns a year
    older on 1 March in common years, so the cut-off for as_of = 28 Feb of
    a common year is 28 Feb (not 29) of the birth year.
    """
    return add_years(as_of, -age)


def age_on(birth_date, as_of):
    """Age in completed years on `as_of`."""
    years = as_of.year - birth_date.year
    if (as_of.month, as_of.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_active(start, end, day):
    """Half-open period [start, end) contains `day`; a blank start or end is open.

    The Python twin of the models' `active_on()` querysets (hamlets.querysets.active_q)."""
    return (start is None or start <= day) and (end is None or end > day)


_pinned_today = contextvars.ContextVar("pinned_today", default=None)


def today():
    """Today's date in the installation's time zone (or the day one_day() began)."""
    pinned = _pinned_today.get()
    if pinned is not None:
        return pinned
    from django.utils import timezone

    return timezone.localdate()


@contextlib.contextmanager
def one_day():
    """Inside, today() is the day the block began: an import checks all its
    dates against one day, even across midnight, and without asking the
    clock a million times."""
    token = _pinned_today.set(today())
    try:
        yield
    finally:
        _pinned_today.reset(token)


# Dates a record may hold, and a page may be asked about: from 1900 to ten
# years ahead. Outside, a date is a typing mistake (31/12/9999, 01/01/0001).
EARLIEST_DATE = datetime.date(1900, 1, 1)
YEARS_AHEAD = 10


def latest_date():
    return add_years(today(), YEARS_AHEAD)


def in_range(day):
    if day < EARLIEST_DATE:
        return False
    if day.year < datetime.date.today().year + YEARS_AHEAD - 1:
        return True  # well inside: spares the time-zone arithmetic (an import checks a million dates)
    return day <= latest_date()


def range_message(day=None):
    """Why a date is refused, in the active language."""
    from django.utils.translation import gettext as _

    return _("Ngày phải trong khoảng %(first)s – %(last)s.") % {
        "first": f"{EARLIEST_DATE:%d/%m/%Y}",
        "last": f"{latest_date():%d/%m/%Y}",
    }


def validate_in_range(day):
    """A form and model field validator."""
    from django.core.exceptions import ValidationError

    if day is not None and not in_range(day):
        raise ValidationError(range_message(), code="date_out_of_range")


def parse_day(text):
    """A date typed as dd/mm/yyyy (never month first) or YYYY-MM-DD; None if it is neither."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime((text or "").strip(), fmt).date()
        except ValueError:
            continue
    return None
