"""Date helpers: ages and year arithmetic as indicators.md defines them."""

import datetime


def add_years(day, years):
    """The same calendar date `years` later (earlier if negative).

    29 February maps to 28 February in a common year, so that "D minus 5
    years" never lands after the true anniversary.
    """
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


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

    The Python twin of the models' `active_on()` querysets (hamlets.models.active_q)."""
    return (start is None or start <= day) and (end is None or end > day)


def today():
    """Today's date in the installation's time zone."""
    from django.utils import timezone

    return timezone.localdate()


def parse_day(text):
    """A date typed as dd/mm/yyyy (never month first) or YYYY-MM-DD; None if it is neither."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime((text or "").strip(), fmt).date()
        except ValueError:
            continue
    return None
