"""Body-text terms for full-text search: stems of ordinary words and cross-script keys.

Names have their own lemmas and keys (`news.names`); this module is for everything else, and it is on the
ingest path of every article, so it is built for speed:

- Russian and English words are stemmed with Snowball (PyStemmer, a C extension): about 500,000 words/s,
  against about 10,000 words/s for a pymorphy3 parse of an unseen form. Stems are cached per word form in a
  bounded dict (cleared when full), so a stream of news mostly hits the cache.
- Bulgarian has no Snowball stemmer; `stem_bg` strips the definite article and the commonest plural,
  adjective and verb endings (rules of our own, in the spirit of the light Bulgarian stemmer of Nakov).
- Function words (prepositions, conjunctions, particles, pronouns, auxiliaries) are dropped: they carry no
  topic and would make every OR query touch every document.
- `cross_key` is a short Latin key of a word in either script (the transliterated first letters, with the
  letter classes that transliteration systems disagree on folded): Russian "энергия" and English "energy"
  share "energ". It bridges English questions to Russian articles through names, loanwords and cognates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import Stemmer

from news.names import WORD

__all__ = [
    "CROSS_LEN",
    "DOC_TOKEN",
    "SENTENCE_END",
    "TOKEN",
    "cross_key",
    "cross_keys",
    "doc_terms",
    "is_stop",
    "is_word",
    "number_term",
    "query_cross_keys",
    "stem",
    "stem_bg",
]

CROSS_LEN = 5
_CACHE_MAX = 200_000
_CYR = re.compile(r"[\u0400-\u04ff]")
_NUMBER = r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?!\d)|\d+(?:[.,]\d+)?"
_THOUSANDS = re.compile(r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+")
_SEPARATORS = re.compile(r"[,\u00a0\u202f ]")
TOKEN = re.compile(WORD.pattern + "|" + _NUMBER)
"""A word (as `news.names.WORD`) or a number ("1 000", "2.5")."""
SENTENCE_END = "|"
"""The term that `doc_terms` puts between sentences: the tokenizer drops it, the ranking reads it."""
_ENDS = frozenset(".!?…\n")
DOC_TOKEN = re.compile(TOKEN.pattern + r"|[.!?…](?=\s|$)|\n")
"""`TOKEN`, or a sentence end (a stop followed by a space, or a line break)."""

_RU_STOP = frozenset(
    """
    а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для до его ее
    её ей если есть еще ещё же за здесь и из или им их к как ко когда кто ли либо мне может мы на над надо наш
    не него нее неё нет ни них но ну о об однако он она они оно от очень по под при с со так также такой там
    те тем то того тоже той только том ты у уже хотя чего чей чем что чтобы чье чья эта эти это этого этой
    этом этот я ведь вдруг куда зачем почему сколько который которая которое которые которых котором
    которого которой которым которую ней нём нем ним ними нами вами себя себе собой свой своя свое свои своих
    своего своей своим свою мой моя мое мои твой твоя наша наше наши ваш ваша ваше ваши сам сама само сами
    самим лишь будто словно пусть бы б ж ль либо нибудь кое разве неужели вон всё всю вся всем всеми
    между через перед после около вокруг против ради среди сквозь вместо кроме мимо вне возле также
    будет будут буду будем будешь будете является являются являлся
    какой какая какое какие каким каких какого какому какими каком какую каков какова каково каковы
    чьи чьё чьего чьей скольких отчего кого кому кем чему чём
    """.split()
)
_BG_STOP = frozenset(
    """
    а аз ако ала би бил била били било бъде бъдат в вас ви все вие във въпреки да дали до докато днес е един
    една едно ето за защото и или им има имат каза как като кой която което които кога когато кои към ли
    ме между ми му на над не него нея ни нищо но нас някой някои няма о обаче около от отново още пак по под
    поради после през при с са своя свой свои се си след сме според сред срещу съм сте създава т та така
    също те тези ти то това този той тя тук тъй че чрез ще що я какво каква какъв какви коя кое колко защо
    къде кога чий чия чие
    """.split()
)
_EN_STOP = frozenset(
    """
    a an the of in on at to for by with from and or but nor is are was were be been being am it its this that
    these those as do does did doing done what which who whom whose when where why how than then there here
    he she they we you i me him her them us my your his our their not no so if into about over under up down
    out off can could would should will shall may might must has have had having also such very just only
    """.split()
)

_RU_STEM = Stemmer.Stemmer("russian")
_EN_STEM = Stemmer.Stemmer("english")

_BG_SUFFIXES = tuple(
    sorted(
        set(
            """
        ията ият ите ата ът ят та то те ия ни на но ен ия а и о е я ове еве ища ище ища ове ство ства ски ска
        ско ния ние ване яне ите ащ ещ ящ ала ели ило али ила ял ла ли ше ха ме хме те хте ат ят ем еш ям иш
        """.split()
        ),
        key=len,
        reverse=True,
    )
)


def stem_bg(word: str) -> str:
    """A light Bulgarian stem: the longest known ending removed, keeping at least three letters."""
    for suffix in _BG_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def is_stop(word: str) -> bool:
    """True for a function word of Russian, Bulgarian or English (lower case)."""
    return word in _RU_STOP or word in _EN_STOP or word in _BG_STOP


_RU_PARTICLES = ("-то", "-либо", "-нибудь")
_BG_MARK = re.compile(r"ъ(?![еёюя])|\b(?:какво|кой|коя|кое|кои|колко|защо|къде|каза|заяви|според)\b", re.I)
_caches: dict[str, dict[str, str]] = {"ru": {}, "bg": {}, "en": {}}


def _compute(low: str, lang: str) -> str:
    if _CYR.search(low):
        if is_stop(low) or (low.endswith(_RU_PARTICLES) and is_stop(low.rsplit("-", 1)[0])):
            return ""
        return stem_bg(low) if lang == "bg" else _RU_STEM.stemWord(low)
    if low in _EN_STOP:
        return ""
    return _EN_STEM.stemWord(low)


def stem(word: str, lang: str = "ru") -> str:
    """The search stem of one word ("" for a function word); `lang` picks Bulgarian rules for Cyrillic."""
    key = "bg" if lang == "bg" else ("ru" if lang == "ru" else "en")
    cache = _caches[key]
    out = cache.get(word)
    if out is None:
        low = word.lower().replace("ё", "е")
        out = _compute(low, "bg" if key == "bg" else "ru")
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[word] = out
    return out


def doc_terms(tokens: Iterable[str], lang: str) -> list[str]:
    """Index terms of an article's tokens (`DOC_TOKEN` matches): stems, function words dropped, numbers
    kept, and `SENTENCE_END` between sentences."""
    key = "bg" if lang == "bg" else ("ru" if lang == "ru" else "en")
    cache = _caches[key]
    out: list[str] = [SENTENCE_END]
    append = out.append
    get = cache.get
    for w in tokens:
        t = get(w)
        if t is None:
            if w in _ENDS:
                if out[-1] != SENTENCE_END:
                    append(SENTENCE_END)
                continue
            t = number_term(w) if w[0].isdigit() else stem(w, key)
        if t:
            append(t)
    if out[-1] == SENTENCE_END:
        out.pop()
    return out[1:]


def is_word(token: str) -> bool:
    """True for a `DOC_TOKEN` match that is a word (not a number or a sentence end)."""
    return not token[0].isdigit() and token not in _ENDS


def number_term(token: str) -> str:
    """A number as one index token: "1,000" / "1 000" → "1000", "2.5" / "2,5" → "2p5"."""
    if _THOUSANDS.fullmatch(token):
        return _SEPARATORS.sub("", token)
    return token.replace(",", "p").replace(".", "p")


_CYR_TO_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
        "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "i", "ь": "",
        "э": "e", "ю": "u", "я": "ia", "і": "i", "ї": "i", "є": "e", "ґ": "g", "ў": "u", "ј": "i", "џ": "j",
    }
)  # fmt: skip
_LATIN_FOLD: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(a), b)
    for a, b in (
        (r"[^a-z]", ""),
        (r"tch", "ch"),
        (r"ck", "k"),
        (r"ph", "f"),
        (r"th", "t"),
        (r"w", "v"),
        (r"q", "k"),
        (r"x", "ks"),
        (r"c(?=[eiy])", "s"),
        (r"c(?!h)", "k"),
        (r"j", "dzh"),
        (r"kh", "h"),
        (r"ts", "c"),
        (r"y", "i"),
        (r"([a-z])\1+", r"\1"),
    )
)
_CYR_FOLD: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[^a-z]"), ""),
    (re.compile(r"kh"), "h"),
    (re.compile(r"ts"), "c"),
    (re.compile(r"([a-z])\1+"), r"\1"),
)
_cross_cache: dict[str, str] = {}


def _latin_of(low: str) -> str:
    """A rough transliteration of a lower-case word to folded Latin letters (only its start matters)."""
    if _CYR.search(low):
        text = low.translate(_CYR_TO_LATIN)
        rules = _CYR_FOLD
    else:
        text = low[: CROSS_LEN + 4]
        rules = _LATIN_FOLD
    for pattern, repl in rules:
        text = pattern.sub(repl, text)
    return text


def cross_key(word: str) -> str:
    """A short Latin key shared by a word and its transliteration or cognate ("" for short/function words).
    Keys of Latin words start with "0", so that a Latin query key finds only Cyrillic words and back."""
    out = _cross_cache.get(word)
    if out is None:
        low = word.lower()
        if len(low) < 4 or is_stop(low):
            out = ""
        else:
            k = _latin_of(low[: CROSS_LEN + 4])
            out = k[:CROSS_LEN] if len(k) >= 4 else ""
            if out and not _CYR.search(low):
                out = "0" + out
        if len(_cross_cache) >= _CACHE_MAX:
            _cross_cache.clear()
        _cross_cache[word] = out
    return out


def cross_keys(words: Iterable[str]) -> list[str]:
    """Cross keys of the words, in order (an article's `cross` column)."""
    out: list[str] = []
    for w in words:
        k = cross_key(w)
        if k:
            out.append(k)
    return out


def query_cross_keys(words: Iterable[str]) -> list[str]:
    """What a question's words look for in the `cross` column: the other script's keys."""
    out: list[str] = []
    for w in words:
        k = cross_key(w)
        if k:
            out.append(k[1:] if k[0] == "0" else "0" + k)
    return out


def query_terms(text: str) -> tuple[list[str], list[str]]:
    """(stems and numbers, words) of a question, in order. Cyrillic words are stemmed as Russian unless the
    question reads as Bulgarian; Latin words as English."""
    from news.langdetect import detect_language

    tokens = TOKEN.findall(text)
    words = [w for w in tokens if not w[0].isdigit()]
    cyr_lang = "ru"
    if any(_CYR.search(w) for w in words) and _BG_MARK.search(text) and detect_language(text) == "bg":
        cyr_lang = "bg"
    out: list[str] = []
    for w in tokens:
        if w[0].isdigit():
            out.append(number_term(w))
            continue
        t = stem(w, cyr_lang if _CYR.search(w) else "en")
        if t:
            out.append(t)
    return out, words


def text_stems(text: str) -> list[str]:
    """Stems of a passage or quote, cheaply (Cyrillic as Russian, Latin as English; no language guess)."""
    out: list[str] = []
    for w in TOKEN.findall(text):
        t = number_term(w) if w[0].isdigit() else stem(w, "ru")
        if t:
            out.append(t)
    return out
