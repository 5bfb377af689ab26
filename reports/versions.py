"""Per-commune data versions: which communes' figures a write changes.

Every save and delete of a registry record (forms, actions, the admin,
reorganisations) and every bulk write of the import bump the version of the
communes whose figures read that record, *after* the transaction commits: a
reader that sees the new version also sees the new data, and one that read
the old data cached it under the old version. Cached figures are keyed by
the version (reports/indicators/by_commune.py), so nothing is ever deleted
from the cache and a change recomputes only the communes it touched.

Dated parents: a record of a hamlet or branch that moved counts, at past
dates, in the communes it was in then, so those are bumped too.
"""

import logging
import threading

from django.db import transaction
from django.db.models import F

from hamlets import models as registry
from hamlets.lineage import ParentChange

from .models import CommuneVersion

logger = logging.getLogger(__name__)

# Above this many records, a bulk write bumps every commune (cheaper than mapping each).
MAP_LIMIT = 2000


def _hamlet_communes(hamlet_ids):
    hamlet_ids = [pk for pk in hamlet_ids if pk]
    if not hamlet_ids:
        return set()
    current = registry.Hamlet.objects.filter(pk__in=hamlet_ids).values_list("commune_id", flat=True)
    before = ParentChange.objects.filter(hamlet_id__in=hamlet_ids).values_list("old_commune_id", flat=True)
    return set(current) | set(before)


def _branch_communes(branch_ids):
    branch_ids = [pk for pk in branch_ids if pk]
    if not branch_ids:
        return set()
    current = registry.Branch.objects.filter(pk__in=branch_ids).values_list("commune_id", flat=True)
    before = ParentChange.objects.filter(branch_id__in=branch_ids).values_list("old_commune_id", flat=True)
    return set(current) | set(before)


def _member_communes(member_ids):
    """A member counts where they live (residents), in every branch they
    attended (member indicators) and where they are or were village head."""
    member_ids = [pk for pk in member_ids if pk]
    if not member_ids:
        return set()
    homes = set(registry.Member.objects.filter(pk__in=member_ids).values_list("residence_hamlet_id", flat=True))
    homes |= set(ParentChange.objects.filter(member_id__in=member_ids).values_list("old_hamlet_id", flat=True))
    homes |= set(registry.VillageHead.objects.filter(member_id__in=member_ids).values_list("hamlet_id", flat=True))
    branches = registry.Membership.objects.filter(member_id__in=member_ids).values_list("branch_id", flat=True)
    return _hamlet_communes(homes) | _branch_communes(set(branches))


def _twin_communes(members):
    """Communes of the members with the same folded name and birth date as
    `members` (as they are, and as they were: pre_save touches both): their
    "possible duplicate" finding (reports/quality.py) comes or goes."""
    names = {item.name_folded for item in members if item.name_folded}
    births = {item.birth_date for item in members if item.birth_date}
    if not (names and births):
        return set()
    pairs = {(item.name_folded, item.birth_date) for item in members}
    twins = registry.Member.objects.filter(name_folded__in=names, birth_date__in=births)
    ids = [pk for pk, name, born in twins.values_list("pk", "name_folded", "birth_date") if (name, born) in pairs]
    return _member_communes(ids)


def communes_of(records):
    """Pks of the communes whose figures read any of `records`, or None for "all"."""
    by_kind = {}
    for record in records:
        by_kind.setdefault(type(record), []).append(record)
    found = set()
    for model, items in by_kind.items():
        if model in (registry.AreaType, registry.District):
            return None  # the area filter, or districts' communes: everything may change
        if model is registry.Commune:
            found |= {item.pk for item in items}
        elif model is registry.AdmissionTarget:
            found |= {item.commune_id for item in items}
        elif model is registry.Hamlet:
            found |= _hamlet_communes([item.pk for item in items]) | {item.commune_id for item in items}
        elif model is registry.Branch:
            found |= _branch_communes([item.pk for item in items]) | {item.commune_id for item in items}
        elif model in (registry.BranchSecretary, registry.BranchRating):
            found |= _branch_communes([item.branch_id for item in items])
        elif model is registry.Membership:
            found |= _branch_communes([item.branch_id for item in items])
            found |= _member_communes([item.member_id for item in items])
        elif model is registry.Member:
            found |= _member_communes([item.pk for item in items])
            found |= _hamlet_communes([item.residence_hamlet_id for item in items])
            found |= _twin_communes(items)
        elif model is registry.Candidate:
            # No figure reads candidates; the data-quality counts do (reports/quality.py).
            found |= _hamlet_communes([item.hamlet_id for item in items])
        elif model is registry.VillageHead:
            found |= _hamlet_communes([item.hamlet_id for item in items])
        elif model is ParentChange:
            for item in items:
                found |= {item.old_commune_id}
                found |= _hamlet_communes([item.hamlet_id, item.old_hamlet_id])
                found |= _branch_communes([item.branch_id])
                found |= _member_communes([item.member_id])
                if item.commune_id:
                    found.add(item.commune_id)
        # Lineage links and reorganisations themselves: no as-they-were figure reads them.
    found.discard(None)
    return found


_pending = threading.local()


def _flush():
    """Raise the versions of everything pending (runs after a commit)."""
    records = getattr(_pending, "records", [])
    communes = getattr(_pending, "communes", set())
    everything = getattr(_pending, "everything", False)
    _pending.records, _pending.communes, _pending.everything = [], set(), False
    if not (records or communes or everything):
        return  # an earlier callback of the same commit flushed it all
    if not everything and records:
        found = communes_of(records)
        if found is None:
            everything = True
        else:
            communes |= found
    if everything:
        CommuneVersion.objects.update(version=F("version") + 1)
        ids = set(registry.Commune.objects.values_list("pk", flat=True))
    else:
        ids = set(communes)
        CommuneVersion.objects.filter(commune_id__in=ids).update(version=F("version") + 1)
    existing = set(CommuneVersion.objects.filter(commune_id__in=ids).values_list("commune_id", flat=True))
    CommuneVersion.objects.bulk_create(
        [CommuneVersion(commune_id=pk, version=1) for pk in ids - existing], ignore_conflicts=True
    )
    if not everything:
        _refresh(ids)


def _refresh(commune_ids):
    """The changed communes' figures for the dates dashboards read lately,
    and their data-quality counts for today, computed now (by_commune.refresh). The change is committed already: a
    failure here only leaves the figures to be computed by the next view."""
    from coverage_site.lib.dates import today
    from reports.indicators.by_commune import REFRESH_LIMIT, refresh
    from reports.quality import counts_by_commune

    try:
        refresh(commune_ids)
        if len(commune_ids) <= REFRESH_LIMIT:
            counts_by_commune(commune_ids, today())  # their data-quality counts, cached for today
    except Exception:  # noqa: BLE001 - the edit itself succeeded; never turn it into an error page
        logger.exception("Refreshing the figures of communes %s failed", sorted(commune_ids))


def bump(commune_ids=None, records=(), everything=False):
    """Raise the versions of these communes, or of the communes of `records`
    (mapped when the transaction commits, all together: a reorganisation
    saving thousands of records costs one mapping), or of every commune.

    Every call registers a callback, so a bump is never lost to a rolled-back
    transaction's discarded callback; the first callback of a commit flushes
    everything pending and the others find nothing left."""
    if not hasattr(_pending, "records"):
        _pending.records, _pending.communes, _pending.everything = [], set(), False
    _pending.records.extend(records)
    _pending.communes |= set(commune_ids or ())
    _pending.everything = _pending.everything or everything
    transaction.on_commit(_flush)


# Beyond this many communes (a national dashboard's 3,321) the whole table is
# read: cheaper than building and sending a list of thousands of ids.
VERSIONS_ID_LIST_LIMIT = 1000


def versions(commune_ids):
    """{commune pk: version} (0 for a commune never changed since versions began)."""
    commune_ids = list(commune_ids)
    rows = CommuneVersion.objects.all()
    if len(commune_ids) <= VERSIONS_ID_LIST_LIMIT:
        rows = rows.filter(commune_id__in=commune_ids)
    found = dict(rows.values_list("commune_id", "version"))
    return {pk: found.get(pk, 0) for pk in commune_ids}


def touch(records, deleted=False):
    """The communes of `records` changed (None: anything may have). A
    deleted record is mapped now, while its neighbours can still be read."""
    if records is None or len(records) > MAP_LIMIT:
        bump(everything=True)
    elif deleted:
        communes = communes_of(records)
        bump(everything=True) if communes is None else bump(communes)
    else:
        bump(records=list(records))


# --- receivers (connected in ReportsConfig.ready) -----------------------------------------------

WATCHED = (
    registry.AreaType,
    registry.District,
    registry.Commune,
    registry.Hamlet,
    registry.Branch,
    registry.Member,
    registry.Membership,
    registry.BranchSecretary,
    registry.VillageHead,
    registry.AdmissionTarget,
    registry.BranchRating,
    registry.Candidate,
    ParentChange,
)


def on_pre_save(sender, instance, **kwargs):
    """An edit may change a parent (a member's residence, a membership's
    branch): the communes of the record as it was change too."""
    if kwargs.get("raw") or instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).first()
    if before is not None:
        touch([before])


def on_save(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return  # loading fixtures
    touch([instance])


def on_delete(sender, instance, **kwargs):
    touch([instance], deleted=True)


def on_m2m(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        touch([instance])


def on_bulk_write(sender, records=None, **kwargs):
    touch(records)


def connect():
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

    from hamlets.signals import records_written

    for model in WATCHED:
        pre_save.connect(on_pre_save, sender=model, dispatch_uid=f"versions-pre-save-{model.__name__}")
        post_save.connect(on_save, sender=model, dispatch_uid=f"versions-save-{model.__name__}")
        post_delete.connect(on_delete, sender=model, dispatch_uid=f"versions-delete-{model.__name__}")
    for field in (registry.Branch.hamlets, registry.Hamlet.area_types):
        m2m_changed.connect(on_m2m, sender=field.through, dispatch_uid=f"versions-m2m-{field.through.__name__}")
    records_written.connect(on_bulk_write, dispatch_uid="versions-bulk")
