"""Cross-script name keys: one Latin spelling for a name however it was written.

`name_key("Зеленский") == name_key("Zelenskyy") == name_key("Зеленски")`: the text is transliterated
with anyascii, English spelling habits are mapped towards the Slavic transliterations (j → dzh, ay → ei,
ph → f, c → k/s, w → v), and then the letter classes that transliteration systems disagree on are folded
(y/i/j, kh/h, ts/tz/c, shch/sch/sh, yu/iu/u, soft signs, double letters, final -iy/-yy/-ij).
`skeleton` drops the vowels too, for a second, looser comparison (Bayden / Biden, Dzhonsan / Johnson).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

__all__ = ["has_cyrillic", "name_key", "skeleton", "word_keys"]

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(a), b)
    for a, b in (
        (r"tch", "ch"),
        (r"ck", "k"),
        (r"ph", "f"),
        (r"th", "t"),
        (r"wh", "v"),
        (r"w", "v"),
        (r"qu", "kv"),
        (r"q", "k"),
        (r"x", "ks"),
        (r"ee", "i"),
        (r"oo", "u"),
        (r"ou", "u"),
        (r"ay\b", "ei"),
        (r"ey\b", "ei"),
        (r"c(?=[eiy])", "s"),
        (r"c(?!h)", "k"),
        (r"(?<!d)j", "dzh"),
        (r"(?<=[aeiou])h(?![aeiou])", ""),
    )
)
_COMMON_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(a), b)
    for a, b in (
        (r"[^a-z ]", ""),
        (r"shch|sch", "sh"),
        (r"dzh|dj", "j"),
        (r"kh", "h"),
        (r"ts|tz", "c"),
        (r"\bye", "e"),
        (r"y", "i"),
        (r"iu", "u"),
        (r"([a-z])\1+", r"\1"),
    )
)
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_VOWELS = re.compile(r"[aeiou]")


def has_cyrillic(text: str) -> bool:
    """True when the text has at least one Cyrillic letter."""
    return bool(_CYRILLIC.search(text))


@lru_cache(maxsize=200_000)
def _word_key(word: str) -> str:
    low = unicodedata.normalize("NFC", word).lower().replace("ё", "е")
    latin_source = not has_cyrillic(low)
    # Bulgarian ъ is a vowel, Russian ь/ъ are signs: anyascii turns both into apostrophes.
    text = anyascii(low).lower()
    if latin_source:
        for pattern, repl in _LATIN_RULES:
            text = pattern.sub(repl, text)
    for pattern, repl in _COMMON_RULES:
        text = pattern.sub(repl, text)
    return text.replace(" ", "")


def name_key(text: str) -> str:
    """The cross-script key of a name or phrase: space-separated word keys ("" for no letters)."""
    keys = [_word_key(tok) for tok in _TOKEN.findall(text)]
    return " ".join(k for k in keys if k)


def word_keys(text: str) -> list[str]:
    """The key of each word of the text, empty keys dropped."""
    return [k for k in (_word_key(tok) for tok in _TOKEN.findall(text)) if k]


def skeleton(key: str) -> str:
    """The key without vowels after the first letter: a looser class for cross-system spellings."""
    if not key:
        return ""
    return key[0] + _VOWELS.sub("", key[1:])
