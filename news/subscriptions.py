"""Which chats a new article is for.

An article matches a subscription when it mentions the subscribed person, place or organisation (the
answer engine's entity ids: every alias, every case form, any script) or, for a keyword, when every
word of the keyword appears in it, fuzzily (cross-script word keys, then rapidfuzz; no user-supplied
regular expressions, so no ReDoS). Words in `excludes` (written `-word` by users) veto a match.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from news.translit import word_keys
from storage.db import Database

log = logging.getLogger(__name__)

KEYWORD_SCORE = 85.0
EXCLUDE_SCORE = 90.0
MIN_PREFIX = 4


@dataclass(frozen=True, slots=True)
class Rule:
    """A subscription as the matcher needs it."""

    id: int
    chat_id: int
    kind: str
    entity_id: int | None
    query: str
    excludes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """An article that a chat's subscription asked for."""

    chat_id: int
    subscription_id: int
    article_id: int


def parse_excludes(value: str | None) -> tuple[str, ...]:
    """Exclusion words from the stored form (space- or comma-separated, or a JSON list; '-' optional)."""
    if not value:
        return ()
    words: list[str] = []
    text = value.strip()
    if text.startswith("["):
        try:
            loaded = json.loads(text)
            words = [str(w) for w in loaded] if isinstance(loaded, list) else []
        except json.JSONDecodeError:
            words = []
    if not words:
        words = text.replace(",", " ").split()
    return tuple(w.lstrip("-!").strip() for w in words if w.lstrip("-!").strip())


def split_query(text: str) -> tuple[str, tuple[str, ...]]:
    """A user's "word -other" into the query and its exclusions (for handlers that store them apart)."""
    include = [w for w in text.split() if not w.startswith(("-", "!"))]
    exclude = [w[1:] for w in text.split() if w.startswith(("-", "!")) and len(w) > 1]
    return " ".join(include), tuple(exclude)


class ArticleWords:
    """The cross-script word keys of one article, for fuzzy keyword tests."""

    def __init__(self, text: str) -> None:
        self.keys = sorted(set(word_keys(text)))
        self._set = set(self.keys)

    def has_word(self, word: str, score: float = KEYWORD_SCORE) -> bool:
        """True when a word of the article is this word in some case form or spelling."""
        keys = word_keys(word)
        if not keys:
            return False
        return all(self._has_key(k, score) for k in keys)

    def _has_key(self, key: str, score: float) -> bool:
        if key in self._set:
            return True
        stem = key[: max(MIN_PREFIX, len(key) - 2)]
        if len(key) >= MIN_PREFIX and any(k.startswith(stem) and len(k) - len(key) <= 4 for k in self.keys):
            return True
        if len(key) < MIN_PREFIX:
            return False
        found = process.extractOne(key, self.keys, scorer=fuzz.ratio, score_cutoff=score)
        return found is not None

    def has_phrase(self, phrase: str, score: float = KEYWORD_SCORE) -> bool:
        """Every word of the phrase is in the article."""
        words = phrase.split()
        return bool(words) and all(self.has_word(w, score) for w in words)


def rule_matches(rule: Rule, entity_ids: set[int], words: ArticleWords) -> bool:
    """Whether one subscription wants the article."""
    if any(words.has_word(w, EXCLUDE_SCORE) for w in rule.excludes):
        return False
    if rule.kind == "entity" and rule.entity_id is not None and rule.entity_id in entity_ids:
        return True
    if rule.kind == "entity" and rule.entity_id is not None and entity_ids:
        return False  # the engine knows this article's entities, and the subscribed one is not there
    return words.has_phrase(rule.query)


class SubscriptionMatcher:
    """Matches new articles against the active chats' subscriptions."""

    def __init__(self, db: Database, engine: Any = None) -> None:
        self._db = db
        self._engine = engine

    async def rules(self) -> list[Rule]:
        """Subscriptions of active chats that want digests (mode not 'off')."""
        try:
            rows = await self._db.fetchall(
                "SELECT s.id, s.chat_id, s.kind, s.entity_id, s.query, s.excludes FROM subscriptions s"
                " JOIN chats c ON c.id = s.chat_id WHERE c.active = 1 AND c.digest_mode != 'off'"
                " ORDER BY s.id"
            )
        except sqlite3.OperationalError:  # no chats/subscriptions tables (CLI-only database)
            return []
        return [
            Rule(
                id=r["id"],
                chat_id=r["chat_id"],
                kind=r["kind"],
                entity_id=r["entity_id"],
                query=r["query"],
                excludes=parse_excludes(r["excludes"]),
            )
            for r in rows
        ]

    async def match(self, article_ids: Sequence[int]) -> list[Match]:
        """Every (chat, subscription, article) match among the given articles; one per chat and article."""
        rules = await self.rules()
        if not rules or not article_ids:
            return []
        marks = ",".join("?" * len(article_ids))
        rows = await self._db.fetchall(
            f"SELECT id, title, clean_text FROM articles WHERE id IN ({marks}) ORDER BY id",
            tuple(article_ids),
        )
        out: list[Match] = []
        for row in rows:
            article_id = int(row["id"])
            entity_ids: set[int] = set()
            if self._engine is not None:
                try:
                    entity_ids = set(await self._engine.entities_in_article(article_id))
                except Exception:
                    log.exception("entities_in_article failed for %s", article_id)
            words = ArticleWords(f"{row['title']}\n{row['clean_text']}")
            seen_chats: set[int] = set()
            for rule in rules:
                if rule.chat_id in seen_chats:
                    continue
                if rule_matches(rule, entity_ids, words):
                    seen_chats.add(rule.chat_id)
                    out.append(Match(rule.chat_id, rule.id, article_id))
        return out
