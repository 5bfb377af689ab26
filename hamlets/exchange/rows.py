"""Rows and records as the import engine holds them in memory (importer.py):
parsed rows, the plan for merging a sheet's rows, blank records. Kept small
and cheap: a whole province is 440,000 of each."""

from dataclasses import dataclass

from django.db.models import signals
from django.db.models.base import ModelState


@dataclass
class MergePlan:
    positions: dict  # the rows' ParsedRow.positions
    refs: list  # (column, foreign key field, or None for a list of codes)
    plain: list  # (attribute, column key)
    absent: list  # (attribute, blank value) set on new records


class ReadPlan(list):
    """How to read a sheet's cells (_Import.plan); `positions`: column key -> index."""

    positions = None


class ParsedRow:
    """A parsed row, read like a dict of column key -> value: the values in
    the file's column order, the positions shared by every row of the sheet
    (a whole province is 440,000 rows: as dicts they took 120 MB more)."""

    __slots__ = ("positions", "values")

    def __init__(self, positions, values):
        self.positions, self.values = positions, tuple(values)

    def __getitem__(self, key):
        return self.values[self.positions[key]]

    def __contains__(self, key):
        return key in self.positions

    def get(self, key, default=None):
        index = self.positions.get(key)
        return default if index is None else self.values[index]

    def keys(self):
        return self.positions.keys()

    def __repr__(self):
        return repr(dict(zip(self.positions, self.values, strict=True)))


_BLANKS = {}


def new_instance(model):
    """model(), without Django's generic per-field work (a whole province
    creates 440,000 records): the fields' defaults, worked out once per
    model; mutable ones made afresh. model() itself where a signal listens
    to new instances."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model()
    if model not in _BLANKS:
        blanks = []
        for field in model._meta.concrete_fields:
            value = field.get_default()
            fresh = isinstance(value, list | dict | set) or callable(getattr(field, "default", None))
            blanks.append((field.attname, field.get_default if fresh else None, value))
        _BLANKS[model] = blanks
    instance = model.__new__(model)
    instance._state = ModelState()
    attributes = instance.__dict__
    for attname, make, value in _BLANKS[model]:
        attributes[attname] = make() if make is not None else value
    return instance
