"""The rows of a django-tables2 page drawn in one pass.

django-tables2 draws every cell through several layers: the accessor looked
up (and the model field inspected for choices), `inspect.signature` of the
render method to choose its arguments, a `reverse()` per link, and the
template's nodes per cell. A list page of 50 members and 9 columns spent
about two thirds of its time there (measured: 0.5 s of 0.64 s profiled).

`Table.drawn_rows` gives the same cells (the same values, render methods,
defaults, links, escaping and number formatting) from what can be worked out
once per column: each row is one string. The list template inserts them in
django-tables2's own table (header, sorting and pagination unchanged).
A table whose columns need what is not reproduced here (localize set,
attributes computed per cell) is drawn by django-tables2 as before
(`drawn_rows` is None). tests/test_drawn_rows.py compares the two on every
list and drill-down table.
"""

import inspect
from urllib.parse import quote

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.utils import Accessor

# Arguments a render method may ask for (as django-tables2's BoundRow gives them).
_ARGUMENTS = ("value", "record", "column", "bound_column", "bound_row", "table")
# Stand for a record's values in a link reversed once per column.
_MARKS = ("drawnrowsmark", "90210573318046")


def _wants(function):
    """The arguments of _ARGUMENTS that `function` takes (all with **kwargs), or
    None when it needs one that is not given (django-tables2 then draws nothing)."""
    parameters = inspect.signature(function).parameters.values()
    if any(p.kind == p.VAR_KEYWORD for p in parameters):
        return _ARGUMENTS
    names = [p.name for p in parameters if p.kind != p.VAR_POSITIONAL]
    if any(name not in _ARGUMENTS for name in names):
        return None
    return tuple(names)


def _is_static(attrs):
    return not any(callable(value) for value in attrs.values())


class _Link:
    """A column's link (linkify with a view name and keyword accessors):
    reversed once with a mark in place of each value, then filled per row as
    reverse() would quote it. Other links are left to django-tables2."""

    def __init__(self, link):
        params = link.reverse_args
        args, kwargs = params.get("args") or [], params.get("kwargs") or {}
        values = [*args, *kwargs.values()]
        if (
            not isinstance(params.get("viewname"), str)
            or {name for name, value in params.items() if value is not None} - {"viewname", "args", "kwargs"}
            or not values
            or not all(isinstance(value, Accessor) for value in values)
            or not _is_static(link.attrs or {})
        ):
            raise ValueError("not a plain reverse")
        for mark in _MARKS:  # a word for a path converter of text, digits for one of numbers
            marks = [f"{mark}{index}" for index in range(len(values))]
            try:
                self.pattern = reverse(
                    params["viewname"],
                    args=marks[: len(args)] or None,
                    kwargs=dict(zip(kwargs, marks[len(args) :], strict=True)) or None,
                )
                break
            except NoReverseMatch:
                continue
        else:
            raise ValueError("no mark fits the path")
        self.accessors = list(zip(marks, values, strict=True))
        attrs = tables.utils.AttributeDict(link.attrs or {})
        self.extra = mark_safe(" " + attrs.as_html()) if attrs else ""

    def __call__(self, content, record):
        url = self.pattern
        for mark, accessor in self.accessors:
            value = accessor.resolve(record)
            if value is None:
                return content
            # reverse() quotes the values of a path like this (django.urls.resolvers).
            url = url.replace(mark, quote(str(value), safe="/~:@!$&'()*+,;="))
        return format_html('<a href="{}"{}>{}</a>', url, self.extra, content)


class _Cell:
    """What is worked out once for a column: how to get, render and link its value."""

    def __init__(self, table, bound_column):
        column = bound_column.column
        self.bound_column = bound_column
        self.name = bound_column.name
        self.accessor = Accessor(bound_column.accessor)
        self.column = column
        self.default = bound_column.default
        self.empty_values = column.empty_values
        self.render = bound_column.render
        self.wants = _wants(self.render)
        if self.wants is None:
            raise ValueError("render needs arguments we do not give")
        # The column's own Column.render returns the value unchanged: skip the call.
        self.plain = getattr(self.render, "__func__", None) is tables.Column.render
        self.choices_display = self._choices(table)
        td = bound_column.attrs["td"]
        self.open = format_html("<td {}>", td.as_html())
        self.link = None
        if bound_column.link:
            self.link = _Link(bound_column.link)
        self.is_link_with_text = isinstance(column, BaseLinkColumn) and column.text is not None

    def _choices(self, table):
        """get_<field>_display's name when the column shows a model field with choices."""
        model = getattr(table._meta, "model", None)
        path = list(self.accessor.bits)
        if model is None:
            return None
        try:
            for step in path[:-1]:
                model = model._meta.get_field(step).related_model
            field = model._meta.get_field(path[-1])
        except (AttributeError, FieldDoesNotExist):
            return None
        return f"get_{path[-1]}_display" if getattr(field, "choices", None) else None

    def draw(self, row, record):
        value = None
        found = True
        if self.choices_display:
            owner, _remainder = self.accessor.penultimate(record)
            display = getattr(owner, self.choices_display, None) if isinstance(owner, models.Model) else None
            value = display() if display else self._resolve(record)
        else:
            try:
                value = self.accessor.resolve(record)
            except Exception:  # as django-tables2: a column without a field of that name
                found = False
        if not found and self.is_link_with_text:
            content = self._render(row, record, None)
        elif value in self.empty_values:
            return self.open + conditional_escape(localize(self.default)) + "</td>"
        else:
            content = self._render(row, record, value)
        return self.open + conditional_escape(localize(content)) + "</td>"

    def _resolve(self, record):
        try:
            return self.accessor.resolve(record)
        except Exception:
            return None

    def _render(self, row, record, value):
        if self.plain:
            content = value
        else:
            given = {
                "value": value,
                "record": record,
                "column": self.column,
                "bound_column": self.bound_column,
                "bound_row": row,
                "table": row.table,
            }
            content = self.render(**{name: given[name] for name in self.wants})
        if self.link is not None:
            content = self.link(content, record)  # escaped by format_html, not localized (as django-tables2)
        return content


class DrawnRowsTable(tables.Table):
    """A django-tables2 table whose page rows are drawn in one pass (see the module)."""

    def __init__(self, *args, **kwargs):
        # An empty list says so in the table, not only by "0 records" above it.
        kwargs.setdefault("empty_text", _("Không có bản ghi nào khớp với bộ lọc."))
        super().__init__(*args, **kwargs)

    def drawn_rows(self):
        """The page's rows as HTML strings, or None to let django-tables2 draw them."""
        try:
            cells = [_Cell(self, bound_column) for bound_column in self.columns]
        except ValueError:
            return None
        if any(
            cell.column.localize is not None or not _is_static(dict(cell.column.attrs.get("td", {}))) for cell in cells
        ):
            return None
        if not _is_static(self.row_attrs or {}):
            return None
        drawn = []
        for row in self.paginated_rows:
            record = row.record
            parts = [format_html("<tr {}>", row.attrs.as_html())]
            parts += [cell.draw(row, record) for cell in cells]
            parts.append("</tr>")
            drawn.append(mark_safe("".join(parts)))  # noqa: S308 - every part escaped above
        return drawn
