"""Language identification for ru, bg and en without a model: letters and function words.

Russian and Bulgarian share most of the Cyrillic alphabet. Bulgarian has no ы and э, uses ъ inside
words and ѝ; Russian uses ы, э, ё. Function words settle the rest (bg: "на", "се", "че", "за",
"които", "ще"; ru: "что", "это", "как", "который", "не").
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Literal

Lang = Literal["ru", "bg", "en", "other"]

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_CYRILLIC_EXTRA = frozenset("ёѝіїєґў")

_RU_WORDS = frozenset(
    """
    и в не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее её мне
    было вот от меня еще ещё нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был
    него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней
    для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того
    потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем
    всех никогда можно при наконец два об другой хоть после над больше тот через эти нас про всего
    них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя
    такой им более всегда конечно всю между это также который которые которых году года россии
    сообщил заявил
    """.split()
)
_BG_WORDS = frozenset(
    """
    и в на да се не че за от с са е ще като по това тя той те но към или са бе би бил била били беше
    са съм си сме сте ние вие аз ти го ги му ѝ им ни ви ли до при след преди между които който която
    което тези този тази това там тук така още вече само също както когато ако защото какво кой коя
    кое кои със във пред над под без през според срещу около чрез година години всички всеки нещо
    много повече обаче заяви каза беше няма има трябва може
    """.split()
)
_EN_WORDS = frozenset(
    """
    the of and to a in is that for it as was with be by on not he i this are or his from at which
    but have an they you were her she there been has their would will said its one all we who more
    """.split()
)


def detect_language(text: str) -> Lang:
    """Return "ru", "bg", "en" or "other" for a piece of text (looks at the first 5,000 characters)."""
    sample = text[:5000]
    letters = Counter(sample.lower())  # counted in C: a per-character Python loop is 10x slower
    cyr = sum(n for ch, n in letters.items() if "а" <= ch <= "я" or ch in _CYRILLIC_EXTRA)
    latin = sum(n for ch, n in letters.items() if "a" <= ch <= "z")
    if cyr == 0 and latin == 0:
        return "other"
    words = [w.lower() for w in _WORD.findall(sample)]
    if latin > cyr:
        en_hits = sum(1 for w in words if w in _EN_WORDS)
        return "en" if en_hits >= max(1, len(words) // 20) or len(words) < 8 else "other"
    # Ukrainian and Belarusian letters: neither Russian nor Bulgarian.
    if sum(letters[c] for c in "іїєґў") > max(2, cyr // 40):
        return "other"
    ru_score = 3.0 * (letters["ы"] + letters["э"] + letters["ё"])
    bg_score = 1.5 * letters["ѝ"]
    for word in words:
        if word in _RU_WORDS:
            ru_score += 1
        if word in _BG_WORDS:
            bg_score += 1
        if "ъ" in word[:-1]:  # ъ inside a word is Bulgarian; Russian uses it only as a separator sign
            bg_score += 1.0
    if ru_score == bg_score == 0:
        return "ru" if letters["ы"] or letters["э"] else "other"
    return "ru" if ru_score >= bg_score else "bg"
