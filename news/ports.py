"""Ports: the small interfaces the domain needs from the outside world (storage, clock, fetcher)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from news.answer_model import Answer, ArticleHit, EntityMatch
from news.articles import PreparedArticle
from news.clock import Clock

__all__ = [
    "AddOutcome",
    "AnswerEngine",
    "ArticleStore",
    "ArticleSummary",
    "Clock",
    "EventSink",
    "StoredArticle",
]


@dataclass(frozen=True, slots=True)
class AddOutcome:
    """What storing one prepared article did: a new id, or the id of the article it duplicates."""

    article_id: int | None
    duplicate_of: int | None = None
    reason: str | None = None  # "same URL" | "same text" | "same feed item"

    @property
    def added(self) -> bool:
        """True when a new article was stored."""
        return self.article_id is not None


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """A stored article, as listed and cited."""

    id: int
    title: str
    url: str | None
    source: str
    lang: str
    published: str | None
    ingested: str
    passages: int
    story_id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """A stored article with its texts."""

    summary: ArticleSummary
    body: str
    clean_text: str


class ArticleStore(Protocol):
    """Where articles are kept."""

    async def add_batch(self, articles: Sequence[PreparedArticle]) -> list[AddOutcome]:
        """Store new articles in one transaction; duplicates are reported, not stored."""
        ...

    async def list_articles(self, *, limit: int | None = None, offset: int = 0) -> list[ArticleSummary]:
        """Stored articles, newest first."""
        ...

    async def get(self, article_id: int) -> StoredArticle | None:
        """One article, or None."""
        ...

    async def count(self) -> int:
        """How many articles are stored."""
        ...


class EventSink(Protocol):
    """Where counted, logged happenings go (rejections, failures)."""

    async def record(self, kind: str, message: str, subject: str | None = None) -> None:
        """Record one event."""
        ...


class AnswerEngine(Protocol):
    """Questions in, cited answers out. Implemented by the answer engine (news/engine.py)."""

    async def ask(self, question: str, *, limit: int = 10) -> Answer:
        """Answer a who-said or free question."""
        ...

    async def search_articles(self, text: str, *, limit: int | None = 10) -> list[ArticleHit]:
        """Articles that mention the text (a name in any script or case form, or words); limit None = all."""
        ...

    async def resolve_entities(self, text: str, *, limit: int = 5) -> list[EntityMatch]:
        """Known people, places and organisations the text may name, best first (for subscriptions)."""
        ...

    async def entities_in_article(self, article_id: int) -> list[int]:
        """Ids of the entities an article mentions (for subscription matching and stories)."""
        ...
