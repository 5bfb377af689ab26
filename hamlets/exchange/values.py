"""Reading and writing single values in the forms exchange-format.md gives."""

import datetime
import functools
import re
import sys

from django.utils.translation import gettext as _

from coverage_site.lib import dates
from coverage_site.lib.text import fold

CODE_RE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
DMY_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUE_WORDS = {"true", "1", "yes", "có"}
FALSE_WORDS = {"false", "0", "no", "không"}


class BadValue(ValueError):
    """A cell that cannot be read; the message is for a district clerk."""


def is_blank(raw):
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def parse_code(raw):
    text = _as_text(raw)
    if not CODE_RE.match(text):
        raise BadValue(_("mã “%(value)s” không hợp lệ (1–40 ký tự A-Z a-z 0-9 . _ -).") % {"value": text})
    return text


def parse_text(raw):
    return _as_text(raw)


def _in_range(day):
    if not dates.in_range(day):
        raise BadValue(_("ngày %(value)s: %(why)s") % {"value": f"{day:%d/%m/%Y}", "why": dates.range_message()})
    return day


def parse_date(raw):
    if isinstance(raw, datetime.datetime):
        return _in_range(raw.date())
    if isinstance(raw, datetime.date):
        return _in_range(raw)
    text = _as_text(raw)
    day = _date_of_text(text)
    if day is not None:
        return _in_range(day)
    raise BadValue(_("ngày “%(value)s” không hợp lệ (viết YYYY-MM-DD hoặc DD/MM/YYYY).") % {"value": text})


@functools.lru_cache(maxsize=50_000)
def _date_of_text(text):
    """The date a text writes, or None; remembered (birth and admission dates repeat)."""
    try:
        if ISO_RE.match(text):
            return datetime.date.fromisoformat(text)
        if match := DMY_RE.match(text):
            day_number, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day_number)
    except ValueError:
        pass
    return None


def parse_bool(raw):
    if isinstance(raw, bool):
        return raw
    text = _as_text(raw).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise BadValue(_("giá trị “%(value)s” không hợp lệ (viết true hoặc false).") % {"value": text})


def parse_int(raw):
    if isinstance(raw, bool):
        raise BadValue(_("cần một số nguyên."))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise BadValue(_("“%(value)s” không phải số nguyên.") % {"value": raw})
    text = _as_text(raw)
    if not text.isdigit():
        raise BadValue(_("“%(value)s” không phải số nguyên không âm.") % {"value": text})
    return int(text)


def parse_list(raw):
    text = _as_text(raw)
    codes = [part.strip() for part in text.split(";") if part.strip()]
    return [parse_code(code) for code in codes]


def parse_choice(raw, choices, labels=None):
    """A coded value, written as its code ("female") or, when `labels` maps
    folded labels to codes, as its label ("nữ", "Nữ", "nu")."""
    text = _as_text(raw)
    if text not in choices and labels and fold(text) in labels.by_fold:
        return labels.by_fold[fold(text)]
    if text not in choices:
        if labels:
            choices = labels.shown
        raise BadValue(
            _("giá trị “%(value)s” không hợp lệ (chọn một trong: %(choices)s).")
            % {"value": text, "choices": ", ".join(choices)}
        )
    return sys.intern(text)  # one copy of "male" for 200,000 members


def _as_text(raw):
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def parse(column, raw, labels=None):
    """The Python value of a non-blank cell for `column` (`labels`: see parse_choice)."""
    return parser_for(column, labels)(raw)


def parser_for(column, labels=None):
    """The function reading a non-blank cell of `column`: chosen once per
    column, not per cell (a whole province is millions of cells)."""
    if column.type == "choice":
        return lambda raw: parse_choice(raw, column.choices, labels)
    parsers = {
        "code": parse_code,
        "text": parse_text,
        "date": parse_date,
        "bool": parse_bool,
        "int": parse_int,
        "list": parse_list,
        "json": parse_json,
    }
    if column.type not in parsers:
        raise AssertionError(column.type)
    return parsers[column.type]


def parse_json(raw):
    """An object in JSON (a reorganisation's content, docs/exchange-format-additions.md)."""
    import json

    try:
        value = json.loads(_as_text(raw))
    except ValueError:
        raise BadValue(_("không phải JSON hợp lệ.")) from None
    if not isinstance(value, dict):
        raise BadValue(_("cần một đối tượng JSON {…}."))
    return value


def blank_value(column):
    """The value a blank cell stands for."""
    if column.default is not None:
        return column.default
    if column.type == "list":
        return []
    if column.type == "json":
        return {}
    if column.type in ("text", "choice"):
        return ""
    return None


def format_value(value):
    """A value in its "written as" form (exchange-format.md, Values)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return ";".join(sorted(value))
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) if value else ""
    return str(value)
