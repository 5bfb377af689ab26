"""Writing many new records and their history rows at once.

`create()` is django-simple-history's bulk_create_with_history, made fast on
PostgreSQL for large batches (a whole province is 440,000 records and as many
history rows): the ids are taken from the table's sequence in one query and
the rows, then the history rows, are sent with COPY. Django's generic
per-value preparation and one Python object per history row cost two thirds
of a whole-province import before (docs/benchmarks.md). Values are written
by type below; a field type not listed, or another database, or a small
batch takes the ORM path, so the result is the same either way (the round
trip tests run on both databases). The database's constraints check COPY as
they check INSERT.
"""

import io
import json
from operator import attrgetter

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ..fields import FoldedField
from .state import BATCH_SIZE

# Below this, the ORM's INSERTs are as fast and the code path is the usual one.
COPY_FROM = 2_000
_HISTORY_OWN = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


def create(model, objs, *, user, reason):
    """Insert new records (their ids set on them) with a "+" history row each.
    The instances are the import's: they are not to be saved again."""
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM or not _copyable(model):
        bulk_create_with_history(objs, model, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason)
        return
    fields = model._meta.concrete_fields
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, True)
    _assign_ids(model, objs)
    # Folded names are worked out as they are written, not kept on the instances (40 MB for a province).
    getters = [field.value_for if isinstance(field, FoldedField) else attrgetter(field.attname) for field in fields]
    writers = [_writer(field) for field in fields]
    # A history row is the record's line, its columns named in the same
    # order, followed by the history's own four values.
    history = model.history.model
    history_column = {field.attname: field.column for field in history._meta.concrete_fields}
    own = {
        "history_date": _text(timezone.now().isoformat()),
        "history_change_reason": _text(reason[:100]) if reason else NULL,
        "history_type": "+",
        "history_user_id": str(user.pk) if user is not None else NULL,
    }
    columns = [field.column for field in fields]
    history_columns = [history_column[field.attname] for field in fields] + [history_column[name] for name in own]
    suffix = "\t" + "\t".join(own.values())
    for start in range(0, len(objs), CHUNK):
        lines = [
            "\t".join([write(get(obj)) for write, get in zip(writers, getters, strict=True)])
            for obj in objs[start : start + CHUNK]
        ]
        _copy(model._meta.db_table, columns, lines)
        _copy(history._meta.db_table, history_columns, [line + suffix for line in lines])


def _copyable(model):
    history = getattr(model, "history", None)
    if history is None:
        return False
    own = {field.attname for field in model._meta.concrete_fields}
    kept = {field.attname for field in history.model._meta.concrete_fields if field.name not in _HISTORY_OWN}
    if own != kept:
        return False  # the history does not copy every field one for one: the ORM knows how
    return all(isinstance(field, _KNOWN) for field in model._meta.concrete_fields)


# Field types whose values _text() writes as PostgreSQL reads them (DateTimeField is a DateField).
_KNOWN = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.DateField,
    models.ForeignKey,
    models.JSONField,
    models.DecimalField,
)


def _assign_ids(model, objs):
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        # The sequence's name once: in the SELECT list it would be looked up for every row (10 times slower).
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)", [sequence, len(objs)])
        (ids,) = cursor.fetchone()
    # Only the id: marking 440,000 instances as saved (_state) would cost 110 MB
    # for objects the import drops once written; they are never saved again.
    attname = model._meta.pk.attname
    for obj, pk in zip(objs, ids, strict=True):
        setattr(obj, attname, pk)


NULL = "\\N"
CHUNK = 5_000


def _text(text):
    """A text in COPY's text format."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _writer(field):
    """The function writing one field's values for COPY."""
    if isinstance(field, models.JSONField):
        return (
            lambda value: NULL if value is None else _text(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder))
        )
    if isinstance(field, models.BooleanField):
        return lambda value: NULL if value is None else ("t" if value else "f")
    if isinstance(field, models.DateField):  # and DateTimeField
        return lambda value: NULL if value is None else value.isoformat()
    if isinstance(field, models.CharField | models.TextField):
        return lambda value: NULL if value is None else _text(value)
    return lambda value: NULL if value is None else str(value)  # numbers, keys


def _copy(table, columns, lines):
    buffer = io.StringIO("\n".join(lines) + "\n")
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN", buffer)
