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

import datetime
import decimal
import io
import json
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ..fields import FoldedField

BATCH_SIZE = 500
# Below this, the ORM's INSERTs are as fast and the code path is the usual one.
COPY_FROM = 2_000
_HISTORY_OWN = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


def create(model, objs, *, user, reason):
    """Insert new records (their ids set on them) with a "+" history row each."""
    if connection.vendor != "postgresql" or len(objs) < COPY_FROM or not _copyable(model):
        bulk_create_with_history(objs, model, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason)
        return
    fields = model._meta.concrete_fields
    for field in fields:
        if isinstance(field, FoldedField) or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, True)
    _assign_ids(model, objs)
    json_fields = {index for index, field in enumerate(fields) if isinstance(field, models.JSONField)}
    values = [[getattr(obj, field.attname) for field in fields] for obj in objs]
    for row in values:
        for index in json_fields:
            if row[index] is not None:
                row[index] = _Json(row[index])
    _copy(model._meta.db_table, [field.column for field in fields], values)
    history = model.history.model
    by_attname = {field.attname: index for index, field in enumerate(fields)}
    columns, picks, constants = (
        [],
        [],
        {
            "history_date": timezone.now(),
            "history_change_reason": reason[:100] if reason else None,
            "history_type": "+",
            "history_user_id": user.pk if user is not None else None,
        },
    )
    for field in history._meta.concrete_fields:
        if field.name == "history_id":
            continue  # the identity column numbers the rows
        columns.append(field.column)
        picks.append(
            ("constant", constants[field.attname])
            if field.name in _HISTORY_OWN
            else ("field", by_attname[field.attname])
        )
    rows = [[value if kind == "constant" else row[value] for kind, value in picks] for row in values]
    _copy(history._meta.db_table, columns, rows)


def _copyable(model):
    history = getattr(model, "history", None)
    if history is None:
        return False
    own = {field.attname for field in model._meta.concrete_fields}
    for field in history.model._meta.concrete_fields:
        if field.name not in _HISTORY_OWN and field.attname not in own:
            return False  # a history field this module does not know how to fill
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
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, len(objs)]
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias


class _Json:
    """A JSONField's value, to be written as JSON even when it is a string."""

    def __init__(self, value):
        self.value = value


def _text(value):
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        text = value
    elif isinstance(value, datetime.datetime | datetime.date):
        text = value.isoformat()
    elif isinstance(value, int | decimal.Decimal | uuid.UUID):
        text = str(value)
    elif isinstance(value, _Json):
        text = json.dumps(value.value, ensure_ascii=False, cls=DjangoJSONEncoder)
    else:
        raise TypeError(f"cannot COPY a {type(value).__name__}")
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _copy(table, columns, rows):
    buffer = io.StringIO()
    for start in range(0, len(rows), 20_000):
        buffer.seek(0)
        buffer.truncate()
        buffer.writelines("\t".join(map(_text, row)) + "\n" for row in rows[start : start + 20_000])
        buffer.seek(0)
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN", buffer)
