"""Stored month ends (reports.models.CommuneMonthEnd): each commune's figures
at the end of each month, kept in a table beside the cache, valid while the
commune's data version and the computing code are those they were made with.

by_commune.py reads them for month ends missing from the cache and writes
every month end it computes, so a trend over years after a cache flush, or a
cold dashboard of many communes, reads rows instead of every member; a change
in a commune makes its rows stale (its version moves on) and they are
recomputed when next read.
"""

import datetime
import logging
import pickle

from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)


def is_month_end(day):
    return (day + datetime.timedelta(days=1)).day == 1


def token():
    from .by_commune import FIGURES_HASH
    from .catalogue import at_risk_settings

    return f"{FIGURES_HASH}:{'-'.join(str(v) for v in at_risk_settings().values())}"


def read(pairs, area, version_of):
    """{(commune pk, day): figures part} of the stored month ends among
    `pairs` that are still valid (same data version, same code)."""
    from reports.models import CommuneMonthEnd

    if not pairs:
        return {}
    wanted = set(pairs)
    rows = CommuneMonthEnd.objects.filter(
        commune_id__in={pk for pk, _day in wanted},
        day__in={day for _pk, day in wanted},
        area=area or "",
        token=token(),
    ).values_list("commune_id", "day", "version", "payload")
    return {
        (pk, day): pickle.loads(bytes(payload))  # noqa: S301 - written by write() below, never from outside
        for pk, day, version, payload in rows
        if (pk, day) in wanted and version == version_of[pk]
    }


def write(figures_by_pair, area, version_of):
    """Store these freshly computed month ends (replacing stale rows)."""
    from reports.models import CommuneMonthEnd

    if not figures_by_pair:
        return
    current = token()
    rows = [
        CommuneMonthEnd(
            commune_id=pk,
            day=day,
            area=area or "",
            version=version_of[pk],
            token=current,
            payload=pickle.dumps(figures, protocol=pickle.HIGHEST_PROTOCOL),
        )
        for (pk, day), figures in figures_by_pair.items()
    ]
    # One upsert, rows in key order: two processes storing overlapping month
    # ends lock them in the same order. (A delete then insert locked them in
    # scan order and deadlocked under the load test.)
    rows.sort(key=lambda row: (row.commune_id, row.day))
    try:
        with transaction.atomic():  # a savepoint when the caller is in a transaction
            CommuneMonthEnd.objects.bulk_create(
                rows,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["commune", "day", "area"],
                update_fields=["version", "token", "payload"],
            )
    except DatabaseError:
        # What is stored here can always be computed again: a write that
        # fails (another process at the same moment) must not fail the page.
        logger.warning("Storing %d month ends failed", len(rows), exc_info=True)
