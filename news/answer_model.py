"""The answer engine's public data: what `ask` and `search` return to the CLI, the bot and digests.

The JSON forms (`to_json`) are the command line's contract: `python -m bot ask --json` and
`python -m bot search --json` print exactly these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Intent = Literal["quotes", "search", "none"]
AnswerKind = Literal["quote", "statement", "passage"]
Attribution = Literal["direct", "role", "pronoun"]


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """An article as cited in an answer."""

    id: int
    title: str
    url: str | None
    source: str
    lang: str
    published: str | None

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the CLI contract."""
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "lang": self.lang,
            "published": self.published,
        }


@dataclass(frozen=True, slots=True)
class SpeakerRef:
    """A resolved person (or organisation, place) with its known surface forms."""

    entity_id: int
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "PER"

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the CLI contract."""
        return {"name": self.name, "aliases": list(self.aliases)}


@dataclass(frozen=True, slots=True)
class AnswerItem:
    """One quote, reported statement or passage, with the article it comes from."""

    kind: AnswerKind
    text: str
    article: ArticleRef
    score: float
    speaker: str | None = None
    attribution: Attribution | None = None
    also_in: tuple[ArticleRef, ...] = ()  # the same quote reported by other articles

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the CLI contract."""
        return {
            "kind": self.kind,
            "speaker": self.speaker,
            "text": self.text,
            "attribution": self.attribution,
            "article": self.article.to_json(),
            "also_in": [a.id for a in self.also_in],
            "score": round(self.score, 4),
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """The whole answer to one question.

    `note` says, in a machine-readable way, why the answer looks the way it does:
    "no_quotes" (the person is known but never quoted: answers are passages mentioning them),
    "nothing_found", "empty_question", "too_long" or None.
    """

    question: str
    intent: Intent
    speaker: SpeakerRef | None = None
    answers: tuple[AnswerItem, ...] = ()
    note: str | None = None
    topic: str | None = None  # "about Y" part of a who-said question, if any

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the CLI contract."""
        return {
            "question": self.question,
            "intent": self.intent,
            "speaker": self.speaker.to_json() if self.speaker else None,
            "answers": [a.to_json() for a in self.answers],
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class ArticleHit:
    """An article that mentions a searched text."""

    article: ArticleRef
    score: float
    matched: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the CLI contract (article fields flattened)."""
        return {**self.article.to_json(), "score": round(self.score, 4), "matched": list(self.matched)}


@dataclass(frozen=True, slots=True)
class EntityMatch:
    """A known person, place or organisation that a piece of text may refer to."""

    entity_id: int
    name: str
    kind: str
    score: float  # 0..100
    aliases: tuple[str, ...] = ()
