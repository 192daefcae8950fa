"""Question parsing: who-said questions in English, Russian and Bulgarian, quote requests, bare names,
free text.

`parse_question("Что сказал Лавров о Курске?")` → Question(kind="who_said", who="Лавров", topic="Курске").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Question", "parse_question"]

QuestionKind = Literal["who_said", "quotes", "free", "empty"]

_END = r"\s*[?？!.…]*\s*$"
_EN_VERBS = (
    r"(?:say|said|tell|told|claim|claimed|state|stated|think|thought|announce|announced|write|wrote|"
    r"mean|meant|declare|declared|add|added|warn|warned|comment|commented|argue|argued)"
)
_RU_VERBS = (
    r"(?:сказал|заявил|говорил|сообщил|написал|утверждал|отметил|ответил|пообещал|заявлял|сказали|заявили|"
    r"говорит|думает|считает|заявляет|сообщает|комментирует|прокомментировал|подчеркнул|добавил|рассказал|"
    r"предупредил|назвал)(?:а|и|о)?"
)
_BG_VERBS = (
    r"(?:каза|заяви|казва|заявява|сподели|написа|коментира|твърди|добави|отговори|съобщи|подчерта|"
    r"предупреди|обеща)(?:ла|ли|л)?"
)
_RAW_PATTERNS: tuple[tuple[str, QuestionKind], ...] = (
    (
        rf"^\s*what\s+(?:did|does|do|has|have|had|was|is)\s+(?P<who>.+?)\s+(?:been\s+)?(?:saying\s+|"
        rf"{_EN_VERBS})(?:\s+(?:about|on|regarding|of|concerning)\s+(?P<topic>.+?))?{_END}",
        "who_said",
    ),
    (
        rf"^\s*what\s+(?P<who>.+?)\s+{_EN_VERBS}(?:\s+(?:about|on|regarding)\s+(?P<topic>.+?))?{_END}",
        "who_said",
    ),
    (
        rf"^\s*(?:(?:show|give|find|list)(?:\s+me)?\s+)?(?:the\s+)?(?:quotes|statements|words)\s+"
        rf"(?:of|by|from)\s+(?P<who>.+?)(?:\s+(?:about|on)\s+(?P<topic>.+?))?{_END}",
        "quotes",
    ),
    (rf"^\s*(?P<who>.+?)(?:'s|’s)?\s+(?:quotes|statements){_END}", "quotes"),
    (
        rf"^\s*(?:что|чего)\s+(?:же\s+)?{_RU_VERBS}\s+(?P<who>.+?)"
        rf"(?:\s+(?:о|об|обо|про|насчет|насчёт|по\s+поводу|относительно)\s+(?P<topic>.+?))?{_END}",
        "who_said",
    ),
    (
        rf"^\s*что\s+(?P<who>.+?)\s+{_RU_VERBS}"
        rf"(?:\s+(?:о|об|обо|про|насчет|насчёт|по\s+поводу|относительно)\s+(?P<topic>.+?))?{_END}",
        "who_said",
    ),
    (
        rf"^\s*(?:цитаты|высказывания|заявления)\s+(?P<who>.+?)(?:\s+(?:о|об|про)\s+(?P<topic>.+?))?{_END}",
        "quotes",
    ),
    (
        rf"^\s*какво\s+(?:е\s+|са\s+|ще\s+)?{_BG_VERBS}\s+(?P<who>.+?)"
        rf"(?:\s+(?:за|относно|по\s+повод)\s+(?P<topic>.+?))?{_END}",
        "who_said",
    ),
    (rf"^\s*цитати\s+(?:на|от)\s+(?P<who>.+?)(?:\s+(?:за|относно)\s+(?P<topic>.+?))?{_END}", "quotes"),
)
_PATTERNS: tuple[tuple[re.Pattern[str], QuestionKind], ...] = tuple(
    (re.compile(p, re.I | re.S), k) for p, k in _RAW_PATTERNS
)
_STRIP = re.compile(r"^[\s\"'«»„“”‘’()\[\]]+|[\s\"'«»„“”‘’()\[\],:;]+$")


@dataclass(frozen=True, slots=True)
class Question:
    """A parsed question: what is asked for (kind), of whom (who) and about what (topic)."""

    text: str
    kind: QuestionKind
    who: str | None = None
    topic: str | None = None


def parse_question(text: str) -> Question:
    """Recognise who-said questions and quote requests; everything else is a free question."""
    clean = " ".join(text.split())
    if not any(ch.isalnum() for ch in clean):
        return Question(clean, "empty")
    if len(clean) <= 300:
        for pattern, kind in _PATTERNS:
            m = pattern.match(clean)
            if not m:
                continue
            who = _STRIP.sub("", m.groupdict().get("who") or "")
            groups = m.groupdict()
            topic = _STRIP.sub("", groups.get("topic") or "") or None
            if who and len(who.split()) <= 6 and any(ch.isalpha() for ch in who):
                return Question(clean, kind, who, topic)
    return Question(clean, "free")
