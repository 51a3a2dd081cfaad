"""Vietnamese text: diacritic-free search keys, name splitting and the Vietnamese sort order.

`đ`/`Đ` are letters of their own, not `d` with a combining mark, so NFD alone does not strip
them; they are mapped explicitly.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z ]+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics, map đ→d and squeeze spaces: 'Đặng  Thị' → 'dang thi'."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", _NON_WORD.sub(" ", stripped)).strip()


def cell_text(value) -> str:
    """A spreadsheet cell as text: empty for a blank cell, and a number Excel stored as a
    float (a code, a tax number) without its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def clean_name(text: str) -> str:
    """Normalise a name as typed: NFC, single spaces, each word capitalised."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split(" ") if word)


def split_full_name(full_name: str) -> tuple[str, str, str]:
    """'Nguyễn Thị Minh Khai' → ('Nguyễn', 'Thị Minh', 'Khai'): họ, tên đệm, tên."""
    words = clean_name(full_name).split(" ")
    if not words or words == [""]:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


# Vietnamese alphabet order; a letter with a tone mark sorts after the same letter without.
_ALPHABET = "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y".split()
_TONES = {"": 0, "\u0300": 2, "\u0309": 3, "\u0303": 4, "\u0301": 1, "\u0323": 5}
_BASE_MARKS = {"\u0306": "ă", "\u0302": None, "\u031b": None}
_RANK = {letter: f"{i + 10:02d}" for i, letter in enumerate(_ALPHABET)}
# Letters outside the Vietnamese alphabet (f, j, w, z) and digits still need a place.
for extra, rank in (("f", "15"), ("j", "22"), ("w", "44"), ("z", "47")):
    _RANK.setdefault(extra, rank + "5")


def _letter_key(ch: str) -> tuple[str, int]:
    decomposed = unicodedata.normalize("NFD", ch.lower())
    base, marks = decomposed[0], decomposed[1:]
    tone = 0
    letter = base
    for mark in marks:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark == "\u0306":
            letter = "ă"
        elif mark == "\u0302":
            letter = {"a": "â", "e": "ê", "o": "ô"}.get(base, base)
        elif mark == "\u031b":
            letter = {"o": "ơ", "u": "ư"}.get(base, base)
    if base == "đ":
        letter = "đ"
    if base.isdigit():
        return "0" + base, 0
    return _RANK.get(letter, "99"), tone


def word_sort_key(word: str) -> str:
    """Primary order by letters of the Vietnamese alphabet, then by tones."""
    keys = [_letter_key(ch) for ch in word if ch.isalnum()]
    return "".join(k for k, _ in keys) + "." + "".join(str(t) for _, t in keys)


def name_sort_key(ho: str, ten_dem: str, ten: str) -> str:
    """Lists sort by tên, then họ, then tên đệm — the way Vietnamese registers are kept.

    The key is plain ASCII digits and separators, so byte order (collation "C") is the
    Vietnamese order on every database.
    """
    parts = [ten, ho, *((ten_dem or "").split(" "))]
    return " ".join(word_sort_key(p) for p in parts if p)[:250]
