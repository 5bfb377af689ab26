"""Text helpers shared by every app."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text):
    """Lower-case, diacritic-free form of a text, used for searching.

    "Nguyễn Văn Đức" -> "nguyen van duc". Stored beside names so that search
    is one indexed LIKE on SQLite and PostgreSQL alike (no database extension
    such as unaccent is needed). đ/Đ are letters of their own, not a d with a
    combining mark, so they are mapped by hand.
    """
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()
