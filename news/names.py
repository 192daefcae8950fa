"""Names in text: lemmas, cross-script keys, mention detection and place names across languages.

- Russian words are lemmatised with pymorphy3 (cached per word form). Only dictionary words and
  name-tagged guesses whose lemma merely drops an ending are trusted: "Лавровым" → "лавров",
  "Захаровой" → "захарова", "Байдена" → "байден", but "Рютте" stays "рютте" (pymorphy would guess "рютта").
- Bulgarian has no analyser here: our own rules strip the definite article (-ът/-ят/-та/-то/-те).
- A mention is a run of capitalised words ("Сергей Лавров", "Чое Сон-хуи", "МИД КНДР"); a word that only
  starts a sentence counts when it looks like a name, is a known place, or is capitalised mid-sentence
  elsewhere in the same text (and never written in lower case there).
- Places come from CLDR (Babel: countries, time-zone exemplar cities) and ISO 3166-1/3166-2 (pycountry) in
  English, Russian and Bulgarian; every
  name of a country maps to one code, indexed as the token `geo_token(code)`.
"""

from __future__ import annotations

import gettext
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from news.translit import has_cyrillic, name_key, skeleton

__all__ = [
    "Mention",
    "NameForms",
    "find_mentions",
    "geo_codes",
    "geo_codes_in",
    "geo_names",
    "geo_near",
    "geo_token",
    "is_first_name",
    "is_function_word",
    "is_patronymic",
    "lemma",
    "name_forms",
    "phrase_key",
    "skeleton",
    "stem_bg",
    "stem_en",
]

log = logging.getLogger(__name__)

_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"})
_PERSON_TAGS = frozenset({"Name", "Surn", "Patr"})
_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "PRED", "Apro", "Ques"})
_RU_CASE_ENDING = re.compile(r"(?<=[бвгджзклмнпрстфхцчшщ])(?:ом|ым|ем|ой|ей|а|у|е|ы|и|я|ю)$")
_BG_ARTICLE = re.compile(r"(?:ът|ят|та|то|те)$")
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


@lru_cache(maxsize=1)
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@dataclass(frozen=True, slots=True)
class NameForms:
    """What a capitalised word can stand for: its lemma, index keys and what kind of name it looks like."""

    lemma: str  # lower-case lemma in the word's own script
    key: str  # cross-script key of the lemma
    keys: tuple[str, ...]  # every key to index (lemma, surface, stripped ending)
    person: bool  # tagged as a first name, surname or patronymic
    place: bool  # tagged as a place
    known_word: bool  # a dictionary word that is not a name (e.g. a sentence-initial common word)


_RU_ADJ_SURNAME = re.compile(r"(?<=[сц]к)(?:ий|ая|ого|ому|им|ом|ой|ую)$")


def _adjectival_surname_stem(word: str) -> str:
    """The stem of a -ский/-цкий surname form (зеленск), "" for other words: a guessed lemma of such a form
    is reliable even when the dictionary does not know the name."""
    stem = _RU_ADJ_SURNAME.sub("", word)
    return stem if stem != word and len(stem) >= 5 else ""


def _ru_forms(word: str) -> tuple[str, list[str], bool, bool, bool]:
    low = word.lower().replace("ё", "е")
    parses = _morph().parse(low)
    best = next((p for p in parses if _NAME_TAGS & p.tag.grammemes), None)
    known = bool(parses) and parses[0].is_known
    variants: list[str] = [low]
    if best is None:
        top = parses[0] if parses else None
        if top is not None and known:
            lem = str(top.normal_form)
            return lem, [*variants, lem], False, False, True
        stripped = _RU_CASE_ENDING.sub("", low)
        if stripped != low and len(stripped) >= 3:
            variants.append(stripped)
        return low, variants, False, False, False
    grams = best.tag.grammemes
    lem = str(best.normal_form)
    if "Surn" in grams and "femn" in grams:
        nom = best.inflect({"nomn", "sing"})
        if nom is not None:
            lem = str(nom.word)
    trusted = (
        best.is_known
        or (lem != low and low.startswith(lem) and len(lem) >= 3)
        or _adjectival_surname_stem(low) == _adjectival_surname_stem(lem) != ""  # Зеленского → Зеленский
    )
    if not trusted:
        stripped = _RU_CASE_ENDING.sub("", low)
        if stripped != low and len(stripped) >= 3 and "Fixd" not in grams:
            variants.append(stripped)
        lem = low
    variants.append(lem)
    if not best.is_known:  # a guess: good for the ending, not for the kind of word
        return lem, variants, False, False, False
    return lem, variants, bool(_PERSON_TAGS & grams), "Geox" in grams, False


@lru_cache(maxsize=300_000)
def name_forms(word: str, lang: str) -> NameForms:
    """Lemma and index keys of one capitalised word, in an article of language `lang` (ru/bg/en/other)."""
    person = place = known = False
    if has_cyrillic(word):
        if lang == "bg":
            low = word.lower()
            lem = low
            variants = [low]
            stripped = _BG_ARTICLE.sub("", low)
            if stripped != low and len(stripped) >= 4:
                variants.append(stripped)
            if "ъ" in low:  # Bulgarian ъ stands for English u, o, e or nothing: Ръд / Rudd, Джонсън / Johnson
                variants.extend([low.replace("ъ", "у"), low.replace("ъ", "")])
        else:
            lem, variants, person, place, known = _ru_forms(word)
    else:
        lem = word.lower()
        if lem.endswith(("'s", "’s")):
            lem = lem[:-2]
        variants = [lem]
    if _is_acronym(word):
        from anyascii import anyascii

        raw = "".join(c for c in anyascii(word).lower() if c.isalnum())
        return NameForms(lem, raw, (raw,) if raw else (), False, place, False)
    keys: list[str] = []
    for v in [lem, *variants]:
        k = name_key(v).replace(" ", "")
        if k and k not in keys:
            keys.append(k)
    return NameForms(lem, keys[0] if keys else "", tuple(keys), person, place, known)


@lru_cache(maxsize=500_000)
def lemma(word: str, lang: str) -> str:
    """The lower-case lemma (ru) or light stem (bg, en) of a word, for full-text indexing; "" to skip it."""
    low = word.lower().replace("ё", "е")
    if has_cyrillic(low):
        if lang == "bg":
            return stem_bg(low)
        p = _morph().parse(low)[0]
        if _FUNCTION_POS & p.tag.grammemes:
            return ""
        if not p.is_known:
            return low
        return str(p.normal_form)
    return stem_en(low)


_EN_STOP = frozenset(
    "a an the of in on at to for by with from and or but is are was were be been being it its this that "
    "these those as do does did what which who whom whose when where why how than then there".split()
)


def is_function_word(word: str, lang: str) -> bool:
    """True for words that carry no topic (prepositions, conjunctions, particles, pronouns, articles)."""
    return lemma(word, lang) == "" or word.lower() in _EN_STOP


_EN_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s")


def stem_en(word: str) -> str:
    """A light English stem (plural and -ed/-ing endings); stop words become ""."""
    if word in _EN_STOP:
        return ""
    for suffix in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base + "y" if suffix in ("ies", "ied") else base
    return word


_BG_SUFFIXES = (
    "ията",
    "ият",
    "ите",
    "ата",
    "ът",
    "ят",
    "та",
    "то",
    "те",
    "ия",
    "ни",
    "на",
    "но",
    "ен",
    "ия",
    "а",
    "и",
    "о",
    "е",
    "я",
)


def stem_bg(word: str) -> str:
    """A light Bulgarian stem: definite articles and the commonest plural and adjective endings removed."""
    for suffix in _BG_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


# --------------------------------------------------------------------------------------------------
# mentions


@dataclass(frozen=True, slots=True)
class Mention:
    """A run of capitalised words in a text that names someone or something."""

    surface: str
    start: int
    end: int
    key: str  # space-joined lemma keys: the name's identity across forms
    tokens: tuple[NameForms, ...]
    kind: str  # PER, LOC or ORG (a guess)

    @property
    def head_key(self) -> str:
        """The key of the last word (a surname, usually)."""
        return self.tokens[-1].key if self.tokens else ""


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


_BEFORE_SKIP = frozenset(" \t\u00a0\"'«»„“”‘’([{—–-*_~#>|")  # spaces, quotes, dashes, markdown marks
_BOUNDARY = frozenset(".!?…\n:;•·")
_SYMBOL_CATEGORIES = frozenset({"So", "Sm", "Sk", "Mn", "Me", "Cf", "Cs", "Co"})  # emoji and their modifiers


def _sentence_initial(text: str, start: int) -> bool:
    """Whether a word starts a sentence, a line, a list item or a headline: nothing but quotes, dashes,
    brackets and markdown marks stands between it and a full stop, colon, line start or emoji, or a
    number that itself starts the line (a timestamp: "09:12 Так Путин ...")."""
    i = start - 1
    while i >= 0 and text[i] in _BEFORE_SKIP:
        i -= 1
    if i < 0:
        return True
    c = text[i]
    if c in _BOUNDARY or unicodedata.category(c) in _SYMBOL_CATEGORIES:
        return True
    if c == ")":  # after a markdown link without words, such as an image: "[](https://...) В России"
        j = text.rfind("](", max(0, i - 1000), i)
        k = text.rfind("[", 0, j) if j > 0 else -1
        if k >= 0 and "\n" not in text[j:i] and not any(ch.isalpha() for ch in text[k + 1 : j]):
            return True
    if c.isdigit():
        while i >= 0 and text[i] != "\n" and not text[i].isalpha():
            i -= 1
        return i < 0 or text[i] == "\n"
    return False


# Words that open sentences and are never part of a name, for languages without a dictionary here.
_EN_OPENERS = _EN_STOP | frozenset(
    "i he she we they you his her their our my your its there here now then today yesterday tomorrow "
    "after before since while although though if unless because so yet also however meanwhile earlier "
    "later last next first finally still even only just both all some many most more several every each "
    "no not never nor according despite during under over about into through between against among "
    "without within upon once such instead again already ever perhaps maybe indeed thus hence therefore "
    "asked speaking read watch breaking update exclusive photo video mr mrs ms dr".split()
)
_BG_OPENERS = frozenset(
    "в във на за от с със по при след преди според като но и а или че ако когато докато също така тук "
    "там сега днес вчера утре още вече това този тази тези той тя то те ние вие аз кой коя кое кои какво "
    "как защо къде кога между към до без над под през пред чрез около само ето обаче затова все всички "
    "нито дори освен вероятно именно например междувременно впоследствие снимка видео".split()
)
_RU_OPENER_GRAMMEMES = frozenset(
    {"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "PRED", "ADVB", "NUMR", "Apro", "Ques", "Dmns"}
)
_RU_KEEP_TAGS = _NAME_TAGS | {"Abbr"}


@lru_cache(maxsize=100_000)
def _ru_word_kind(word: str) -> str:
    """What a capitalised Russian word is when it starts a sentence: "name" (unknown to the dictionary,
    or a parse with a reasonable score is a name, surname, patronymic, place, organisation, trade mark or
    abbreviation), "function" (an adverb, conjunction, preposition, particle, pronoun ...) or "common"."""
    parses = _morph().parse(word.lower().replace("ё", "е"))
    if not parses or not parses[0].is_known:
        return "name"
    if sum(p.score for p in parses if _RU_KEEP_TAGS & p.tag.grammemes) >= 0.1:
        return "name"
    return "function" if _RU_OPENER_GRAMMEMES & parses[0].tag.grammemes else "common"


@lru_cache(maxsize=100_000)
def is_first_name(word: str) -> bool:
    """True when the dictionary takes a (Cyrillic) word for a person's first name with a reasonable score:
    Дмитрия, Сергеем, Марк; not Путина, Кремля or an unknown word."""
    if not has_cyrillic(word):
        return False
    parses = _morph().parse(word.lower().replace("ё", "е"))
    score = sum(p.score for p in parses if "Name" in p.tag.grammemes)
    return bool(parses) and parses[0].is_known and score >= 0.2


def is_patronymic(word: str) -> bool:
    """True when the dictionary takes a (Cyrillic) word for a patronymic: Владимирович, Петровны."""
    if not has_cyrillic(word):
        return False
    return any("Patr" in p.tag.grammemes for p in _morph().parse(word.lower().replace("ё", "е")))


def _ru_tag(word: str) -> frozenset[str]:
    """The grammemes of a Russian word's likeliest parse."""
    parses = _morph().parse(word.lower().replace("ё", "е"))
    return frozenset(parses[0].tag.grammemes) if parses else frozenset()


def _opener_kind(word: str, lang: str) -> str:
    """The kind ("function", "common" or "name") of a capitalised word at a sentence start (see
    `_ru_word_kind`)."""
    if has_cyrillic(word):
        if lang != "bg":
            return _ru_word_kind(word)
        return "function" if word.lower() in _BG_OPENERS else "name"
    return "function" if word.lower().replace("’", "'") in _EN_OPENERS else "name"


def _runs(text: str) -> Iterator[list[re.Match[str]]]:
    run: list[re.Match[str]] = []
    prev_end = -1
    for m in WORD.finditer(text):
        w = m.group()
        if not w[0].isupper():
            if run:
                yield run
            run = []
            continue
        gap = text[prev_end : m.start()] if run else ""
        acr = _is_acronym(w)
        if run and (
            gap not in (" ", "\u00a0")
            or acr != _is_acronym(run[-1].group())
            or has_cyrillic(w) != has_cyrillic(run[-1].group())  # "Storm Shadow" | "Путин"
            or len(run) >= 8
        ):
            yield run
            run = []
        run.append(m)
        prev_end = m.end()
    if run:
        yield run


def find_mentions(
    text: str, lang: str, lowercase_words: set[str] | None = None, *, check_starts: bool = True
) -> list[Mention]:
    """Name mentions in the text, in order. `lowercase_words` (words seen in lower case) helps tell a
    sentence-initial common word from a name; it is computed when not given. `check_starts=False` takes
    every capitalised word as a name but for the function words and (Russian) dictionary words that lead a
    run (for text known to name someone, such as a quote's speaker: "Пресс-секретарь Кремля Дмитрий
    Песков" → Дмитрий Песков)."""
    if lowercase_words is None:
        lowercase_words = {w for w in WORD.findall(text) if w[:1].islower()}
    out: list[Mention] = []
    inside: set[str] | None = None  # keys of words capitalised inside a sentence: the text's own evidence
    for run in _runs(text):
        if not check_starts:
            run = _drop_openers(run, lang, set(), set(), guess=False)
        elif _sentence_initial(text, run[0].start()):
            if inside is None:
                inside = _inside_keys(text, lang)
            run = _drop_openers(run, lang, lowercase_words, inside)
        elif lang != "bg":  # a Russian preposition or adverb is capitalised only where a sentence starts
            while run and has_cyrillic(run[0].group()) and _opener_kind(run[0].group(), lang) == "function":
                run = run[1:]
        if not run:
            continue
        for part in _split_kinds(run, lang):
            mention = _mention(text, part, lang)
            if mention is not None:
                out.append(mention)
    return out


def _drop_openers(
    run: list[re.Match[str]], lang: str, lowercase_words: set[str], inside: set[str], *, guess: bool = True
) -> list[re.Match[str]]:
    """A sentence-initial run of capitalised words without the ordinary words that lead it ("Сейчас Путин",
    "Почему Байден", "Today Biden"): function words always go; a common word goes unless the text also
    capitalises it mid-sentence (and never writes it in lower case) or it is a known place; in Bulgarian,
    where there is no dictionary, the first word goes unless it looks like a Russian name or place."""
    keys = [name_forms(m.group(), lang).key for m in run]
    first = True
    whole = run
    while run:
        if any(len(run) >= j and geo_codes(" ".join(keys[:j])) for j in (3, 2)):
            break  # a place named by several words: Северная Корея, Соединённые Штаты Америки
        w = run[0].group()
        if _is_acronym(w):
            break
        kind = _opener_kind(w, lang)
        if kind != "function":
            lower = w.lower() in lowercase_words
            if not lower and (keys[0] in inside or geo_codes(keys[0])):
                break  # a name the text also capitalises mid-sentence, or a known place
            bg_guess = (
                guess and first and lang == "bg" and has_cyrillic(w) and not _ru_looks_named(w)
            )  # no dictionary: only a word that looks like a Russian name or place may start a Bulgarian name
            if not (lower or kind == "common" or bg_guess):
                break
        run, keys, first = run[1:], keys[1:], False
    if not run:  # only dictionary words: a name made of them (Кривой Рог), after any function words
        rest = [m for m in whole if _opener_kind(m.group(), lang) != "function"]
        if (
            len(rest) >= 2
            and all(_opener_kind(m.group(), lang) == "common" for m in rest)
            and _ru_tag(rest[-1].group()) & {"NOUN"}
            and not {"NOUN", "anim"} <= _ru_tag(rest[0].group())  # not "Депутат Рады", "Глава Тернопольской"
        ):
            return rest
    return run


def _ru_looks_named(word: str) -> bool:
    forms = name_forms(word, "ru")
    return forms.person or forms.place


def _inside_keys(text: str, lang: str) -> set[str]:
    """Keys of the words the text capitalises mid-sentence: in runs that do not start a sentence, or that
    start one with a word that is no ordinary word ("По Словам Путина" is no evidence for "Словам")."""
    out: set[str] = set()
    for run in _runs(text):
        words = [m.group() for m in run]
        if _sentence_initial(text, run[0].start()):
            if _is_acronym(words[0]) or _opener_kind(words[0], lang) != "name":
                continue
            words = words[1:]
        out.update(name_forms(w, lang).key for w in words)
    return out


def _split_kinds(run: list[re.Match[str]], lang: str) -> list[list[re.Match[str]]]:
    """Split "России Владимир Путин" into the place and the person."""
    parts: list[list[re.Match[str]]] = [[run[0]]]
    for m in run[1:]:
        prev = name_forms(parts[-1][-1].group(), lang)
        cur = name_forms(m.group(), lang)
        if prev.place and not prev.person and cur.person and not cur.place:
            parts.append([m])
        else:
            parts[-1].append(m)
    return parts


def _mention(text: str, run: list[re.Match[str]], lang: str) -> Mention | None:
    words = [piece for m in run for piece in re.split(r"[-‐]", m.group()) if piece]
    if not words or (len(words) == 1 and len(words[0]) < 2):
        return None
    tokens = tuple(name_forms(w, lang) for w in words)
    key = " ".join(t.key for t in tokens if t.key)
    if not key:
        return None
    if all(_is_acronym(w) for w in words):
        kind = "ORG"
    elif any(t.person for t in tokens) or (lang == "bg" and any(name_forms(w, "ru").person for w in words)):
        kind = "PER"
    elif any(t.place for t in tokens) or geo_codes(key):
        kind = "LOC"
    else:
        kind = "PER" if len(words) > 1 else "LOC"
    start, end = run[0].start(), run[-1].end()
    return Mention(text[start:end], start, end, key, tokens, kind)


def phrase_key(text: str, lang: str) -> str:
    """The lemma key of a whole phrase ("Северной Кореи" → key of "северный корея")."""
    words = WORD.findall(text)
    return " ".join(k for k in (name_forms(w, lang).key for w in words) if k)


# --------------------------------------------------------------------------------------------------
# places across languages

# Common abbreviations and short names that neither CLDR nor ISO 3166 list. General knowledge, kept short.
_EXTRA_PLACE_NAMES: dict[str, tuple[str, ...]] = {
    "US": ("USA", "US", "U.S.", "America", "США", "САЩ", "Америка"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "Британия", "Великобритания"),
    "KP": ("DPRK", "КНДР", "КНДР", "Северная Корея"),
    "KR": ("Южная Корея",),
    "RU": ("РФ", "Russia"),
    "CZ": ("Czech Republic", "Чехия"),
}
_GENERIC_PREFIXES = re.compile(r"^(?:Republic of|Kingdom of|State of|The)\s+", re.I)


def _country_names() -> dict[str, set[str]]:
    names: dict[str, set[str]] = {}
    try:
        from babel import Locale

        for loc in ("en", "ru", "bg"):
            for code, name in Locale(loc).territories.items():
                if len(code) == 2 and code.isalpha():
                    names.setdefault(code, set()).add(name)
    except Exception:  # pragma: no cover - babel missing or broken: ISO names still work
        log.warning("CLDR territory names unavailable; using ISO 3166 names only")
    try:
        import pycountry

        translations = {
            lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
            for lang in ("ru", "bg")
        }
        for c in pycountry.countries:
            forms = {c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)}
            for form in [f for f in forms if f]:
                bucket = names.setdefault(c.alpha_2, set())
                bucket.add(form)
                bucket.add(form.split(",")[0])
                for tr in translations.values():
                    local = tr.gettext(form)
                    bucket.add(local)
                    bucket.add(local.split(",")[0])
    except Exception:  # pragma: no cover
        log.warning("ISO 3166 names unavailable")
    for code, extra in _EXTRA_PLACE_NAMES.items():
        names.setdefault(code, set()).update(extra)
    return names


# Time zones whose exemplar cities are too small or remote to be worth a place entry (Antarctic stations are
# named after people: Davis, Casey, Mawson) and whose names clash with surnames.
_SKIP_ZONES = re.compile(r"^(?:Antarctica|Etc|America/(?:Indiana|Kentucky|North_Dakota|Argentina/))")
# ISO 3166-2 subdivision types worth a place entry (not districts, municipalities, parishes ...).
_SUBDIVISION_TYPES = frozenset(
    {
        "Country",
        "Province",
        "State",
        "Region",
        "Republic",
        "Autonomous republic",
        "Autonomous city",
        "Autonomous region",
        "Autonomous community",
        "Federal district",
        "Capital city",
        "Capital territory",
        "Federal capital territory",
        "Land",
        "Metropolitan region",
        "Oblast",
        "District",
        "Special municipality",
        "Administrative region",
        "Autonomous province",
        "City",
        "Municipality",
        "Voivodship",
        "Prefecture",
        "Governorate",
        "Canton",
        "County",
        "Autonomous district",
        "Autonomous okrug",
        "Krai",
        "Regional state",
        "Union territory",
        "Metropolitan city",
    }
)


def _first_name_only(name: str) -> bool:
    """True when pymorphy knows the (Russian) name only as a person's first name: Regina, Adelaide."""
    words = name.split()
    if len(words) != 1 or not has_cyrillic(name):
        return False
    parses = _morph().parse(name.lower())
    grams = set().union(*(p.tag.grammemes for p in parses if p.is_known)) if parses else set()
    return "Name" in grams and "Geox" not in grams


def _city_names() -> dict[str, set[str]]:
    """CLDR time-zone exemplar cities in English, Russian and Bulgarian: Paris / Париж, Brussels / Брюксел."""
    names: dict[str, set[str]] = {}
    try:
        from babel import Locale
        from babel.dates import get_timezone_location

        zones = [str(z) for z in Locale("ru").time_zones]
        zones = [z for z in zones if "/" in z and not _SKIP_ZONES.match(z)]
        for zone in zones:
            forms: set[str] = set()
            for loc in ("en", "ru", "bg"):
                try:
                    forms.add(str(get_timezone_location(zone, locale=loc, return_city=True)))
                except Exception:  # pragma: no cover - a zone a locale cannot place
                    continue
            local = {f for f in forms if has_cyrillic(f)}
            if not local or all(_first_name_only(f) for f in local):
                continue
            names[f"tz:{zone}"] = forms
    except Exception:  # pragma: no cover
        log.warning("CLDR city names unavailable")
    return names


def _subdivision_names() -> dict[str, set[str]]:
    """ISO 3166-2 regions with a Russian or Bulgarian name: Punjab / Пенджаб, Bayern / Бавария."""
    names: dict[str, set[str]] = {}
    try:
        import pycountry

        translations = [
            gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
            for lang in ("ru", "bg")
        ]
        for sub in pycountry.subdivisions:
            if sub.type not in _SUBDIVISION_TYPES:
                continue
            base = re.sub(r"\s*\[.*?\]|\s*\(.*?\)", "", sub.name).strip()
            local = {re.sub(r"\s*\(.*?\)", "", tr.gettext(sub.name)).strip() for tr in translations}
            local = {f for f in local if f and has_cyrillic(f)}
            if not local or all(_first_name_only(f) for f in local):
                continue
            names[sub.code] = {base, *local}
    except Exception:  # pragma: no cover
        log.warning("ISO 3166-2 names unavailable")
    return names


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, frozenset[str]], dict[str, tuple[str, ...]]]:
    by_key: dict[str, set[str]] = {}
    by_code: dict[str, tuple[str, ...]] = {}
    countries = _country_names()
    country_keys: set[str] = set()
    for group in (countries, _subdivision_names(), _city_names()):
        for code, forms in group.items():
            cleaned = sorted({_GENERIC_PREFIXES.sub("", f).strip() for f in forms if f and f.strip()})
            by_code[code] = tuple(cleaned)
            for form in cleaned:
                lang = "ru" if has_cyrillic(form) else "en"
                for k in {phrase_key(form, lang), phrase_key(form, "bg")}:
                    if not k or (group is not countries and k in country_keys):
                        continue  # a country's name stays the country's (Mexico, not Mexico City)
                    by_key.setdefault(k, set()).add(code)
                    if group is countries:
                        country_keys.add(k)
    return {k: frozenset(v) for k, v in by_key.items()}, by_code


def geo_codes(key: str) -> frozenset[str]:
    """ISO country codes whose names (any of en/ru/bg, any case form) have this lemma key."""
    return _gazetteer()[0].get(key, frozenset())


def geo_names(code: str) -> tuple[str, ...]:
    """The known names of a country in English, Russian and Bulgarian."""
    return _gazetteer()[1].get(code, ())


def geo_token(code: str) -> str:
    """The index token standing for a place (one FTS token: letters and digits only)."""
    return "geo" + re.sub(r"[^a-z0-9]", "", code.lower())


def geo_codes_in(key: str) -> set[str]:
    """Codes of the place a name is or starts with: "Пакистан" → PK, and in a run of capitalised words that
    joined a place to a person, "Ирландия Саймън Ковъни" → IE. A place further in ("Северна Ирландия",
    "Минздрав России") is part of another name."""
    whole = geo_codes(key)
    if whole:
        return set(whole)
    words = key.split()
    for j in range(min(len(words) - 1, 4), 0, -1):
        codes = geo_codes(" ".join(words[:j]))
        if codes:
            return set(codes)
    return set()


@lru_cache(maxsize=1)
def _gazetteer_spellings() -> dict[str, frozenset[str]]:
    """Lower-case Latin spellings of place names (and every name's key) → codes, for typo lookup."""
    from anyascii import anyascii

    out: dict[str, set[str]] = {k: set(v) for k, v in _gazetteer()[0].items()}
    for code, forms in _gazetteer()[1].items():
        for form in forms:
            if not has_cyrillic(form):
                out.setdefault(anyascii(form).lower(), set()).add(code)
    return {k: frozenset(v) for k, v in out.items()}


def geo_near(*spellings: str) -> frozenset[str]:
    """Codes of the place whose name (or key) is one typo (insertion, deletion, change or swap) from one
    of the spellings, when that is a single place: "Brussles" → Brussels, "Turkey" → Türkiye. Spellings
    under 5 letters never match, nor names with another first letter."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    table = _gazetteer_spellings()
    names = list(table)
    found: list[frozenset[str]] = []
    for spelling in spellings:
        if len(spelling) < 5:
            continue
        for cand, _, _ in process.extract(spelling, names, scorer=OSA.distance, score_cutoff=1, limit=8):
            if len(cand) >= 5 and cand[0] == spelling[0]:  # Holland is not Poland
                found.append(table[cand])
    if not found or any(not (a & b) for a in found for b in found):
        return frozenset()  # nothing, or two different places
    return frozenset().union(*found)
