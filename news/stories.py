"""Stories: articles about the same event, across languages.

Each article gets a set of features: the people, places and organisations it names (cross-script,
case-folded keys from the answer engine's name finder; countries as ISO codes, so Русия, Россия and
Russia agree), the engine's entity ids when an engine is given, numbers of two or more digits, and
word triples of the quotes it carries. An article joins the story whose feature centroid is most
similar (cosine, each feature weighted by kind and by rarity), when that similarity passes a threshold,
the two share at least two specific (non-country, non-number) features, and the story was seen within
the time window; otherwise it starts a new story. A story keeps its articles, languages, sources and
first/last seen times (the articles table and the stories table).
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from news.clock import Clock, from_iso, to_iso
from storage.db import Database

log = logging.getLogger(__name__)

WINDOW = timedelta(days=3)
THRESHOLD = 0.10
MIN_SHARED_SPECIFIC = 2
PRIOR_DOCS = 30
KIND_WEIGHT = {"p": 2.0, "e": 1.5, "n": 1.0, "q": 1.2, "g": 0.4, "#": 0.7, "d": 1.5, "w": 0.25}
_MONTHS = (
    ("январ", "януар", "januar"),
    ("феврал", "февруар", "februar"),
    ("март", "march"),
    ("апрел", "април", "april"),
    ("мая", "май", "may"),
    ("июн", "юни", "june"),
    ("июл", "юли", "july"),
    ("август", "august"),
    ("сентябр", "септемвр", "september"),
    ("октябр", "октомвр", "october"),
    ("ноябр", "ноемвр", "november"),
    ("декабр", "декемвр", "december"),
)
_MONTH_ALT = "|".join(sorted((m for ms in _MONTHS for m in ms), key=len, reverse=True))
_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH_ALT})\w*|\b({_MONTH_ALT})\w*\s+(\d{{1,2}})\b", re.IGNORECASE)
WORD_PREFIX = 5
WORD_MIN_CHARS = 6
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[ \u00a0.,]\d{3})+(?![\d])|(?<![\w.,])\d{2,}(?![\d])")
_QUOTE = re.compile(r"«([^»]{15,400})»|„([^“”]{15,400})[“”]|“([^”]{15,400})”|\"([^\"]{15,400})\"")
MAX_QUOTE_SHINGLES = 40
_WORD = re.compile(r"[^\W\d_]+")


def _mentions(text: str, lang: str) -> list[Any]:
    try:
        from news.names import find_mentions

        return list(find_mentions(text, lang if lang in ("ru", "bg", "en") else "en"))
    except Exception:  # the name finder must never stop clustering
        log.exception("name finder failed")
        return []


def _geo_codes(key: str) -> frozenset[str]:
    try:
        from news.names import geo_codes

        return geo_codes(key)
    except Exception:
        return frozenset()


def _word_keys(text: str) -> list[str]:
    from news.translit import word_keys

    return word_keys(text)


LEAD_CHARS = 400


def extract_features(title: str, text: str, lang: str, entity_ids: Iterable[int] = ()) -> dict[str, float]:
    """The features an article is clustered by, with their salience (see the module docstring).

    Salience grows with the number of mentions (1 + ln n) and doubles for what the title or the lead
    names: the actors of the event, rather than the background.
    """
    full = f"{title}\n{text}" if title and not text.startswith(title) else text
    lead_end = len(title) + LEAD_CHARS
    counts: Counter[str] = Counter()
    in_lead: set[str] = set()

    def put(feature: str, position: int) -> None:
        counts[feature] += 1
        if position < lead_end:
            in_lead.add(feature)

    for mention in _mentions(full, lang):
        codes = _geo_codes(mention.key)
        if codes and len(codes) <= 2:
            for c in codes:
                put(f"g:{c}", mention.start)
        elif mention.kind == "PER" and mention.head_key and len(mention.head_key) >= 3:
            put(f"p:{mention.head_key}", mention.start)
        elif len(mention.key) >= 3:
            put(f"n:{mention.key}", mention.start)
    for match in _NUMBER.finditer(full):
        digits = re.sub(r"\D", "", match.group())
        if len(digits) >= 2:
            put(f"#:{digits}", match.start())
    for match in _DATE.finditer(full):
        day = match.group(1) or match.group(4)
        month_word = (match.group(2) or match.group(3)).lower()
        month = next(i for i, ms in enumerate(_MONTHS, 1) if any(month_word.startswith(m) for m in ms))
        if 1 <= int(day) <= 31:
            put(f"d:{month:02d}-{int(day):02d}", match.start())
    for word in _WORD.finditer(full):
        if word.group()[:1].islower() and len(word.group()) >= WORD_MIN_CHARS:
            keys = _word_keys(word.group())
            if keys and len(keys[0]) >= WORD_PREFIX:
                put(f"w:{keys[0][:WORD_PREFIX]}", word.start())
    shingles = 0
    for match in _QUOTE.finditer(full):
        quote = next(g for g in match.groups() if g)
        keys = [k for k in _word_keys(quote) if len(k) > 3]
        for i in range(max(0, len(keys) - 2)):
            if shingles >= MAX_QUOTE_SHINGLES:
                break
            put(f"q:{' '.join(keys[i : i + 3])}", match.start())
            shingles += 1
    features = {f: (1.0 + math.log(n)) * (2.0 if f in in_lead else 1.0) for f, n in counts.items()}
    for entity_id in entity_ids:
        features.setdefault(f"e:{entity_id}", 1.0)
    return features


def _specific(feature: str) -> bool:
    return feature[0] not in ("g", "#", "w")


@dataclass(slots=True)
class _Story:
    key: int
    profile: Counter[str] = field(default_factory=Counter)  # feature → summed salience
    size: int = 0
    first: datetime | None = None
    last: datetime | None = None
    mass: float = 0.0  # Σ weighted centroid, cached at the last change
    lead_dates: set[str] = field(default_factory=set)


def _lead_dates(features: dict[str, float]) -> set[str]:
    return {f for f, v in features.items() if f.startswith("d:") and v >= 2.0}


class StoryIndex:
    """The clustering itself, in memory: feature statistics and story centroids within the window.

    Similarity is a weighted overlap coefficient between the article and the story's centroid: the
    share of the smaller side's weight that the two have in common. Two events on different days
    named in their leads never merge.
    """

    def __init__(
        self,
        *,
        threshold: float = THRESHOLD,
        window: timedelta = WINDOW,
        prior_docs: int = PRIOR_DOCS,
        min_shared: int = MIN_SHARED_SPECIFIC,
    ) -> None:
        self.threshold = threshold
        self.window = window
        self.prior_docs = prior_docs
        self.min_shared = min_shared
        self.df: Counter[str] = Counter()
        self.docs = 0
        self.stories: dict[int, _Story] = {}
        self._by_feature: dict[str, set[int]] = {}
        self._next_key = -1  # keys for stories not yet stored (negative)

    def weight(self, feature: str) -> float:
        """Kind weight × smoothed inverse document frequency."""
        idf = math.log((self.docs + self.prior_docs) / (self.df[feature] + 1))
        return KIND_WEIGHT.get(feature[0], 1.0) * max(0.0, idf)

    def _mass(self, story: _Story) -> float:
        size = max(1, story.size)
        return sum(self.weight(f) * v / size for f, v in story.profile.items()) or 1.0

    def similarity(self, features: dict[str, float], story: _Story) -> tuple[float, int]:
        """(weighted overlap, number of shared specific features) of an article and a story."""
        size = max(1, story.size)
        shared = [f for f in features if f in story.profile]
        n_specific = sum(1 for f in shared if _specific(f))
        if not shared:
            return 0.0, 0
        common = 0.0
        for f in shared:
            w = self.weight(f)
            common += min(features[f] * w, story.profile[f] * w / size)
        mass_a = sum(v * self.weight(f) for f, v in features.items()) or 1.0
        return common / min(mass_a, story.mass or 1.0), n_specific

    def best(self, features: dict[str, float], when: datetime) -> tuple[int | None, float]:
        """The story the article belongs to and its similarity, or (None, best similarity)."""
        candidates: set[int] = set()
        for f in features:
            if _specific(f):
                candidates.update(self._by_feature.get(f, ()))
        dates = _lead_dates(features)
        best_key, best_score = None, 0.0
        for key in candidates:
            story = self.stories.get(key)
            if story is None or (story.last is not None and abs(when - story.last) > self.window):
                continue
            if dates and story.lead_dates and not dates & story.lead_dates:
                continue  # the leads name different days: different events
            score, n_specific = self.similarity(features, story)
            if n_specific < self.min_shared:
                continue
            if score > best_score:
                best_key, best_score = key, score
        if best_key is not None and best_score >= self.threshold:
            return best_key, best_score
        return None, best_score

    def add(self, features: dict[str, float], when: datetime, story_key: int | None = None) -> int:
        """Record an article (in `story_key`, or a new story); returns the story key."""
        self.docs += 1
        self.df.update(features.keys())
        if story_key is None or story_key not in self.stories:
            if story_key is None:
                story_key = self._next_key
                self._next_key -= 1
            self.stories[story_key] = _Story(story_key, first=when)
        story = self.stories[story_key]
        story.profile.update(features)
        story.size += 1
        story.first = min(story.first or when, when)
        story.last = max(story.last or when, when)
        story.lead_dates |= _lead_dates(features)
        story.mass = self._mass(story)
        for f in features:
            if _specific(f):
                self._by_feature.setdefault(f, set()).add(story_key)
        return story_key

    def forget_before(self, moment: datetime) -> None:
        """Drop stories last seen before `moment` (they can no longer be joined)."""
        old = [k for k, s in self.stories.items() if s.last is not None and s.last < moment]
        for key in old:
            story = self.stories.pop(key)
            for f in story.profile:
                keys = self._by_feature.get(f)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del self._by_feature[f]


@dataclass(frozen=True, slots=True)
class StorySummary:
    """A story as digests show it."""

    id: int
    headline: str
    first_seen: str
    last_seen: str
    article_ids: tuple[int, ...]
    languages: tuple[str, ...]
    sources: tuple[str, ...]


class StoryService:
    """Assigns stored articles to stories and keeps the stories table current.

    The index is warmed from the database (articles within the window) on first use and then kept in
    memory; features are stored per article (article_features) so a restart rebuilds it exactly.
    """

    def __init__(
        self, db: Database, clock: Clock, engine: Any = None, index: StoryIndex | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self._engine = engine
        self.index = index or StoryIndex()
        self._warm = False

    async def _warm_up(self) -> None:
        if self._warm:
            return
        since = to_iso(self._clock.now() - self.index.window * 2)
        rows = await self._db.fetchall(
            "SELECT a.id, a.story_id, COALESCE(a.published_at, a.ingested_at) AS at, f.feature, f.weight"
            " FROM articles a JOIN article_features f ON f.article_id = a.id"
            " WHERE a.ingested_at >= ? AND a.story_id IS NOT NULL ORDER BY a.id",
            (since,),
        )
        per_article: dict[int, tuple[int, str, dict[str, float]]] = {}
        for r in rows:
            entry = per_article.setdefault(int(r["id"]), (int(r["story_id"]), str(r["at"]), {}))
            entry[2][str(r["feature"])] = float(r["weight"])
        for story_id, at, features in per_article.values():
            self.index.add(features, from_iso(at), story_id)
        self._warm = True

    async def assign(self, article_ids: Sequence[int]) -> dict[int, int]:
        """Put each (new) article into a story; returns article id → story id."""
        await self._warm_up()
        if not article_ids:
            return {}
        marks = ",".join("?" * len(article_ids))
        rows = await self._db.fetchall(
            f"SELECT id, title, clean_text, lang, COALESCE(published_at, ingested_at) AS at, story_id"
            f" FROM articles WHERE id IN ({marks}) ORDER BY COALESCE(published_at, ingested_at), id",
            tuple(article_ids),
        )
        out: dict[int, int] = {}
        for row in rows:
            if row["story_id"] is not None:
                out[int(row["id"])] = int(row["story_id"])
                continue
            entity_ids: list[int] = []
            if self._engine is not None:
                try:
                    entity_ids = list(await self._engine.entities_in_article(int(row["id"])))
                except Exception:
                    log.exception("entities_in_article failed for %s", row["id"])
            features = extract_features(row["title"], row["clean_text"], row["lang"], entity_ids)
            when = from_iso(row["at"])
            story_key, _score = self.index.best(features, when)
            out[int(row["id"])] = await self._store(int(row["id"]), row["title"], when, features, story_key)
        # forget by the articles' own times (feeds may carry old items), never by the wall clock alone
        latest = max((s.last for s in self.index.stories.values() if s.last is not None), default=None)
        if latest is not None:
            self.index.forget_before(latest - self.index.window * 2)
        return out

    async def _store(
        self, article_id: int, title: str, when: datetime, features: dict[str, float], story_key: int | None
    ) -> int:
        stamp = to_iso(when)
        async with self._db.atomic() as conn:
            await conn.executemany(
                "INSERT OR IGNORE INTO article_features(article_id, feature, weight) VALUES (?, ?, ?)",
                [(article_id, f, round(v, 4)) for f, v in sorted(features.items())],
            )
            if story_key is None:
                cur = await conn.execute(
                    "INSERT INTO stories(headline, first_seen_at, last_seen_at) VALUES (?,?,?)",
                    (title[:300], stamp, stamp),
                )
                story_id = int(cur.lastrowid or 0)
            else:
                story_id = story_key
                await conn.execute(
                    "UPDATE stories SET first_seen_at = MIN(first_seen_at, ?),"
                    " last_seen_at = MAX(last_seen_at, ?)"
                    " WHERE id = ?",
                    (stamp, stamp, story_id),
                )
            await conn.execute("UPDATE articles SET story_id = ? WHERE id = ?", (story_id, article_id))
        self.index.add(features, when, story_id)
        return story_id

    async def summary(self, story_id: int) -> StorySummary | None:
        """The story with its articles, languages and sources."""
        story = await self._db.fetchone("SELECT * FROM stories WHERE id = ?", (story_id,))
        if story is None:
            return None
        arts = await self._db.fetchall(
            "SELECT id, lang, source, url FROM articles WHERE story_id = ? ORDER BY id", (story_id,)
        )
        return StorySummary(
            id=story_id,
            headline=story["headline"],
            first_seen=story["first_seen_at"],
            last_seen=story["last_seen_at"],
            article_ids=tuple(int(a["id"]) for a in arts),
            languages=tuple(dict.fromkeys(a["lang"] for a in arts)),
            sources=tuple(dict.fromkeys(source_label(a["url"] or a["source"]) for a in arts)),
        )


def source_label(url_or_path: str) -> str:
    """A short name for where an article came from: the host of a URL, or the file name."""
    from urllib.parse import urlsplit

    parts = urlsplit(url_or_path)
    if parts.scheme in ("http", "https") and parts.hostname:
        return parts.hostname.removeprefix("www.")
    return url_or_path.rsplit("/", 1)[-1][:60]
