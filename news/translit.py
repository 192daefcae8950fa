"""Cross-script name keys: one Latin spelling for a name however it was written.

`name_key("Зеленский") == name_key("Zelenskyy") == name_key("Зеленски")`: the text is transliterated
with anyascii, English spelling habits are mapped towards the Slavic transliterations (j → dzh, ay → ei,
ph → f, c → k/s, w → v), and then the letter classes that transliteration systems disagree on are folded
(y/i/j, kh/h, ts/tz/c, shch/sch/sh, yu/iu/u, soft signs, double letters, final -iy/-yy/-ij).
`skeleton` drops the vowels too, for a second, looser comparison (Bayden / Biden, Dzhonsan / Johnson).

Names written in Latin letters by other orthographies (English Farage / Фараж, German Schulz / Шулц, Polish
Czaputowicz / Чапутович) get more than one key: `latin_variants` applies each optional spelling rule of
`_VARIANT_RULES` on or off. `sounds_alike` is the second-tier comparison of two keys: the same consonants and
vowels that transcriptions are known to trade (a/e/ei, o/u, e/i, a dropped Bulgarian ъ or silent final e).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

__all__ = [
    "consonants",
    "has_cyrillic",
    "latin_variants",
    "name_key",
    "skeleton",
    "sounds_alike",
    "word_keys",
]

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
    return _fold(low, not has_cyrillic(low))


def _fold(low: str, latin_source: bool) -> str:
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


# Optional spellings of other orthographies, tried on and off on a lower-case Latin word (each rule applies to
# all its matches at once). The plain English-leaning reading of `_LATIN_RULES` is always one of the variants.
_VARIANT_RULES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(a), b)
    for a, b in (
        (r"g(?=[eiy])", ("dzh", "zh")),  # English/French soft g: Farage / Фараж, George / Джордж
        (r"^j|(?<=[aeiou])j(?=[aeiou])", ("y", "kh")),  # German/Polish/Italian J = Й, Spanish J = Х
        (r"w(?=[aeiouy])", ("u",)),  # English W before a vowel: Wilson / Уилсън
        (r"cz", ("ch",)),  # Polish
        (r"sz", ("sh",)),
        (r"rz", ("zh",)),
        (r"ch", ("kh", "k")),  # German/Polish ch = х, Greek/Italian ch = к
        (r"c(?![hkz])", ("ts", "ch")),  # Polish/Czech/German c = ц, č without its diacritic
        (r"^s(?![hz])", ("z", "sh")),  # German initial s = з, st/sp = шт/шп; š without its diacritic
        (r"^sht", ("sh",)),  # Bulgarian Щ = шт: Steinmeier / Щайнмайер
        (r"(?<=[aeiou])s(?=[aeiou])", ("z",)),  # German intervocalic s
        (r"(?<![dst])z(?!h)", ("ts",)),  # German/Italian z = ц
        (r"(?<=[bdgp])h", ("",)),  # aspirates in South Asian spellings: Chaudhry / Чоудри
        (r"(?<=[aeiou][aeiou])[stxd]$", ("",)),  # French silent finals: Calais / Кале
        (r"gh(?![aeiou])", ("",)),
        (r"(?<=[aeiou])h(?![aeiou])", ("kh",)),  # a final or pre-consonant h that is spoken: Masih / Масих
        (r"(?<=[aeiou])j(?![aeiou])", ("y",)),  # Polish -ej, -aj: Siergiej / Сергей
        (r"dt$", ("t", "d")),  # German final -dt: Verhofstadt / Верхофстад
        (r"^kh", ("k",)),  # Khan / Кан
    )
)
_MAX_VARIANTS = 48


@lru_cache(maxsize=50_000)
def latin_variants(word: str) -> tuple[str, ...]:
    """Keys of a Latin-script word under the spelling habits of several languages, the plain key first.
    A Cyrillic word has just its key."""
    low = unicodedata.normalize("NFC", word).lower().replace("ё", "е")
    if has_cyrillic(low):
        key = _word_key(low)
        return (key,) if key else ()
    base = anyascii(low).lower()
    spellings = [base]
    for pattern, alternatives in _VARIANT_RULES:
        if len(spellings) >= _MAX_VARIANTS:
            break
        grown: list[str] = []
        for sp in spellings:
            if pattern.search(sp):
                grown.extend(pattern.sub(alt, sp) for alt in alternatives)
        spellings.extend(grown[: _MAX_VARIANTS - len(spellings)])
    keys = [_word_key(low)]
    for sp in spellings:
        k = _fold(sp, True).replace(" ", "")
        if k and k not in keys:
            keys.append(k)
    return tuple(k for k in keys if k)


_RUN = re.compile(r"[aeiou]+|[^aeiou]+")
# Vowel letters that transcriptions trade for one another (besides sharing a letter): English a read as
# ей/э (Davis / Дейвис), o/u (Malook / Мулок), u read as а (Hunt / Хант), e/i (Steve / Стив).
_VOWEL_PAIRS = frozenset(frozenset(p) for p in ("ae", "ao", "ou", "au", "ei"))


def consonants(key: str) -> str:
    """The consonant letters of a key, in order."""
    return _VOWELS.sub("", key)


@lru_cache(maxsize=200_000)
def _shape(key: str) -> tuple[str, tuple[str, ...]]:
    cons: list[str] = []
    slots = [""]
    for run in _RUN.findall(key):
        if run[0] in "aeiou":
            slots[-1] = run
        else:
            for ch in run:
                cons.append(ch)
                slots.append("")
    return "".join(cons), tuple(slots)


def _vowels_agree(q: str, c: str, *, first: bool, last: bool) -> bool:
    if q == c:
        return True
    if not c:  # a vowel the other spelling drops: Bulgarian ъ (Джонсън), a silent final e (Grieve / Грийв)
        return not first and (not last or q == "e")
    if not q:  # a vowel the query does not have: Fox is not Фокус
        return False
    return any(x == y or frozenset((x, y)) in _VOWEL_PAIRS for x in q for y in c)


def sounds_alike(query_key: str, key: str, *, min_consonants: int = 2) -> bool:
    """Second-tier match: the same consonants (two at least) and vowels that transcriptions trade.
    Davis ~ Дейвис/Дэвис but not Давос; Zakharieva is not Захарова; Fox is not Фокус."""
    if query_key == key:
        return True
    qc, qs = _shape(query_key)
    cc, cs = _shape(key)
    if qc != cc or len(qc) < min_consonants:
        return False
    n = len(qs) - 1
    return all(
        _vowels_agree(q, c, first=i == 0, last=i == n) for i, (q, c) in enumerate(zip(qs, cs, strict=True))
    )
