"""Text helpers shared by every app."""

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text):
    """Lower-case, diacritic-free form of a text, used for searching.

    "Nguyễn Văn Đức" -> "nguyen van duc". Stored beside names so that search
    is one indexed LIKE on SQLite and PostgreSQL alike (no database extension
    such as unaccent is needed). đ/Đ are letters of their own, not a d with a
    combining mark, so they are mapped by hand. Word by word, remembered: an
    import folds hundreds of thousands of names made of a few thousand words.
    """
    if not text:
        return ""
    return " ".join(filter(None, map(_fold_word, text.split())))


@functools.lru_cache(maxsize=100_000)
def _fold_word(word):
    word = word.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip().lower()


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t
# u ư v x y; tones decide only between otherwise equal words (ngang, huyền,
# hỏi, ngã, sắc, nặng); numbers inside names by value ("Xóm 2" before "Xóm 10").
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
_SHAPES = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô"}
_SHAPES |= {("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_NUMBERS = re.compile(r"(\d+)")


def vietnamese_key(text):
    """A sort key putting names in Vietnamese dictionary order:
    sorted(["Quỳnh Yên", "Quỳnh Đôi", "Quỳnh Bảng", "Quỳnh Bá"], key=vietnamese_key)
    gives Quỳnh Bá, Quỳnh Bảng, Quỳnh Đôi, Quỳnh Yên."""
    letters, tones = [], []
    for chunk in _NUMBERS.split(_SPACES.sub(" ", (text or "").strip().lower())):
        if chunk.isdigit():
            letters.append((1, int(chunk)))
            continue
        for character in chunk:
            base, *marks = unicodedata.normalize("NFD", character)
            letter = base
            for mark in marks:
                letter = _SHAPES.get((base, mark), letter)
            if letter in _RANK:
                letters.append((2, _RANK[letter]))
            else:  # spaces and punctuation before letters, other letters after
                letters.append((0 if not letter.isalpha() else 3, ord(letter)))
            tones.append(next((_TONES[mark] for mark in marks if mark in _TONES), 0))
    return letters, tones


def vietnamese_sort_key(text):
    """vietnamese_key() as a string of digits, to store beside a name and let
    either database sort by it (ORDER BY a column of digits gives the same
    order under any collation). Each letter, space or number is a unit whose
    first digit says which it is, of one width per kind, so units line up;
    "000" ends the letters, so "Ba" sorts before "Ba Na"; the tones follow,
    deciding only between names with the same letters. Built word by word
    (a space is the unit "001" and tone 0), each word's part remembered."""
    parts = [_word_sort_key(word) for word in (text or "").lower().split()]
    return "001".join(units for units, _tones in parts) + "000" + "0".join(tones for _units, tones in parts)


@functools.lru_cache(maxsize=100_000)
def _word_sort_key(word):
    letters, tones = vietnamese_key(word)
    units = []
    for kind, value in letters:
        if kind == 0:
            units.append("001")  # punctuation: before any letter or number
        elif kind == 1:
            units.append(f"1{min(value, 10**12 - 1):012d}")
        elif kind == 2:
            units.append(f"2{value:02d}")
        else:
            units.append(f"3{min(value, 10**6 - 1):06d}")
    return "".join(units), "".join(str(tone) for tone in tones)
