"""The export side of exchange-format.md: every sheet, rows sorted by key,
values in their "written as" forms. Sorting happens in Python so that the
files are byte-identical whatever the database's collation."""

from collections import defaultdict

from . import values
from .files import write_folder, write_workbook
from .schema import SHEETS


def export_tables(sheets=SHEETS):
    """{sheet name: (header, rows)} for the whole database, a few queries per sheet."""
    tables = {}
    for sheet in sheets:
        model = sheet.model
        refs = [c for c in sheet.columns if c.ref and c.type != "list"]
        queryset = model.objects.select_related(*[c.attr for c in refs]).order_by()
        lists = {}
        for column in sheet.columns:
            if column.type != "list":
                continue
            m2m = model._meta.get_field(column.attr)
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            codes = defaultdict(list)
            for source_id, code in through.objects.values_list(f"{source}_id", f"{target}__code"):
                codes[source_id].append(code)
            lists[column.key] = codes
        rows = []
        for obj in queryset:
            row = []
            for column in sheet.columns:
                if column.type == "list":
                    value = lists[column.key].get(obj.pk, [])
                elif column.ref:
                    target = getattr(obj, column.attr)
                    value = target.code if target is not None else None
                else:
                    value = getattr(obj, column.attr or column.key)
                row.append(value)
            rows.append(row)
        key_positions = [[c.key for c in sheet.columns].index(k) for k in sheet.key]
        # A blank key part (lineage: the ends a link does not have) sorts first.
        rows.sort(key=lambda row: tuple((0, "") if row[i] is None else (1, row[i]) for i in key_positions))
        header = [c.key for c in sheet.columns]
        tables[sheet.name] = (header, [[values.format_value(v) for v in row] for row in rows])
    return tables


def export_path(path):
    """Write all data to a folder of CSV files, or to a workbook if path ends in .xlsx."""
    tables = export_tables()
    if str(path).lower().endswith(".xlsx"):
        write_workbook(path, tables)
    else:
        write_folder(path, tables)
    return tables
