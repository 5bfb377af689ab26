"""The stored records an import reads (importer.py), keyed like the sheets."""

from collections import defaultdict

from .schema import SHEET_BY_NAME, SHEETS

BATCH_SIZE = 500


def key_of(sheet, instance):
    """A stored or in-memory record's key, as the tuple of its key columns."""
    parts = []
    for key in sheet.key:
        column = sheet.column_by_key[key]
        value = getattr(instance, column.attr or column.key)
        parts.append(value.code if column.ref and value is not None else value)
    return tuple(parts)


class State:
    """The stored records an import reads, keyed like the sheets, loaded in
    bulk: every record, or only a file's neighbourhood (neighbours.py)."""

    # Small tables, always read whole.
    ALWAYS_WHOLE = ("area_types", "provinces", "districts", "communes")

    def __init__(self):
        self.records = {sheet.name: {} for sheet in SHEETS}
        # (sheet name, key) -> set of codes, for list columns
        self.lists = {}
        self.by_id = {sheet.name: {} for sheet in SHEETS}
        self.rows_read = 0

    def _queryset(self, sheet, only):
        model = sheet.model
        if only is None or sheet.name in self.ALWAYS_WHOLE:
            return [model.objects.all()]
        wanted = sorted(only.get(sheet.name, ()))
        field = "code" if sheet.key == ("code",) else "pk"
        return [
            model.objects.filter(**{f"{field}__in": wanted[i : i + BATCH_SIZE]})
            for i in range(0, len(wanted), BATCH_SIZE)
        ]

    def _attach(self, sheet, obj):
        """Cache obj's references to the loaded records (the same Python objects), and keep it."""
        for column in sheet.columns:
            if not column.ref or column.type == "list":
                continue
            fk = sheet.model._meta.get_field(column.attr)
            target_id = getattr(obj, fk.attname)
            fk.set_cached_value(obj, self._target(column.ref, target_id) if target_id is not None else None)
        self.by_id[sheet.name][obj.pk] = obj
        self.records[sheet.name][key_of(sheet, obj)] = obj
        self.rows_read += 1

    def _target(self, name, pk):
        """A referenced record; read on demand if the neighbourhood missed it (a safety net)."""
        found = self.by_id[name].get(pk)
        if found is None:
            sheet = SHEET_BY_NAME[name]
            found = sheet.model.objects.get(pk=pk)
            self._attach(sheet, found)
            self._load_lists(sheet, [found])
        return found

    def _load_lists(self, sheet, instances):
        for column in sheet.columns:
            if column.type != "list":
                continue
            m2m = sheet.model._meta.get_field(column.attr)
            through = m2m.remote_field.through
            source = m2m.m2m_field_name()
            target = m2m.m2m_reverse_field_name()
            sets = defaultdict(set)
            ids = [obj.pk for obj in instances]
            for start in range(0, len(ids), BATCH_SIZE):
                links = through.objects.filter(**{f"{source}_id__in": ids[start : start + BATCH_SIZE]})
                for source_id, target_id in links.values_list(f"{source}_id", f"{target}_id"):
                    sets[source_id].add(self._target(column.ref, target_id).code)
            for obj in instances:
                self.lists[(sheet.name, column.key, key_of(sheet, obj))] = sets.get(obj.pk, set())

    def load(self, only=None):
        """Every stored record, or those of `only` ({sheet: codes or pks}, from neighbours.py)."""
        for sheet in SHEETS:
            instances = [obj for queryset in self._queryset(sheet, only) for obj in queryset]
            for obj in instances:
                self._attach(sheet, obj)
            self._load_lists(sheet, instances)
        return self
