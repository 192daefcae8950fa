"""The answer engine: indexes articles as they are stored and answers who-said and free questions.

Indexing (`index_articles`, run inside the ingest transaction): every article gets a row in
`article_index` (body stems from `news.terms`, name keys, cross-script keys; mirrored into the FTS5 table
`doc_fts`), its name mentions linked to entities (people, places, organisations with aliases), and its
quotes from `news.quotes` with the speaker linked to an entity. The pure part of that work (`_analyse`:
stems, mentions, quotes) runs in forked worker processes for big batches, and `prefetch` starts it for the
next batch while the current one is written.

Answering: questions are parsed by `news.questions`; a who-said question resolves the speaker to
entities (exact key, then surname, then rapidfuzz over alias keys) and returns their quotes, deduplicated
across articles; a free question gets candidates from FTS5 bm25 over its rarer stems, name keys and
cross-script keys, re-ranked by `news.ranking`, then passages by the query terms they hold. Query text
reaches FTS5 only as quoted tokens.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import gc
import hashlib
import logging
import math
import multiprocessing
import os
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import aiosqlite
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from news.answer_model import Answer, AnswerItem, ArticleHit, ArticleRef, EntityMatch, Intent, SpeakerRef
from news.articles import PreparedArticle
from news.names import (
    WORD,
    Mention,
    find_mentions,
    geo_codes,
    geo_codes_in,
    geo_names,
    geo_near,
    geo_token,
    is_first_name,
    is_patronymic,
    name_forms,
    phrase_key,
    skeleton,
)
from news.questions import Question, parse_question
from news.ranking import FUZZ_TOP, W_FUZZ, Candidate, QueryTerms, Stats, rerank, sentence_match
from news.terms import (
    DOC_TOKEN,
    SENTENCE_END,
    cross_keys,
    doc_terms,
    is_word,
    query_cross_keys,
    query_terms,
    text_stems,
)
from news.translit import consonants, has_cyrillic, latin_variants, sounds_alike, word_keys
from storage.db import Database

__all__ = ["Engine", "fts_or", "fts_quote"]

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_ARTICLE_COLUMNS = "a.id AS aid, a.title, a.url, a.source, a.lang, a.published_at"
_RERANK_DEPTH = 40  # candidates that FTS5 hands to the second-stage ranking
_CANDIDATE_BUDGET = 5000  # postings a free question may scan, at least (or 5% of the collection)
_ATTRIBUTION_WEIGHT = {"direct": 1.0, "role": 0.92, "pronoun": 0.88}
_GEO_TOKEN = re.compile(r"geo[a-z0-9]+")  # `geo_token` keys: a place's identity, not a spelling


def fts_quote(token: str) -> str:
    """One token as an FTS5 string literal: everything inside is data, never query syntax."""
    return '"' + token.replace('"', '""') + '"'


def fts_or(tokens: Iterable[str]) -> str:
    """An FTS5 OR of quoted tokens ("" when there are none)."""
    uniq = list(dict.fromkeys(t for t in tokens if t))
    return " OR ".join(fts_quote(t) for t in uniq)


def _norm_hash(text: str) -> str:
    return hashlib.blake2b(" ".join(word_keys(text)).encode("utf-8"), digest_size=8).hexdigest()


def _lang_of(text: str) -> str:
    return "ru" if has_cyrillic(text) else "en"


def _display_name(m: Mention) -> str:
    words = [t.lemma for t in m.tokens]
    if all(w.isupper() for w in m.surface.split()):
        return m.surface
    return " ".join(w[:1].upper() + w[1:] for w in words)


@dataclass(slots=True)
class _Entity:
    id: int
    kind: str
    name: str


class _AliasIndex:
    """Alias key → entity ids, in memory, plus the alias keys by their last word (a surname, or a one-word
    name) with a vocabulary of those words for spelling-variant and typo lookup."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[int]] = {}
        self.entities: dict[int, _Entity] = {}
        self.version = -1
        self.by_last: dict[str, list[str]] = {}
        self.last_words = _NameVocab()

    def add(self, key: str, entity_id: int) -> None:
        ids = self.by_key.setdefault(key, [])
        if not ids:
            last = key.rsplit(" ", 1)[-1]
            ent = self.entities.get(entity_id)
            if last and not (ent is not None and ent.kind == "LOC" and _GEO_TOKEN.fullmatch(key)):
                if last not in self.by_last:
                    self.by_last[last] = []
                    self.last_words.add(last)
                self.by_last[last].append(key)
        if entity_id not in ids:
            ids.append(entity_id)


class _NameVocab:
    """Every indexed name key with its document count; fuzzy expansion by rapidfuzz OSA distance."""

    def __init__(self) -> None:
        self.docs: dict[str, int] = {}
        self._buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        self._by_consonants: dict[str, list[str]] = defaultdict(list)

    def add(self, key: str, docs: int = 1) -> None:
        if key in self.docs:
            self.docs[key] += docs
            return
        self.docs[key] = docs
        self._buckets[(key[:1], len(key))].append(key)
        self._by_consonants[consonants(key)].append(key)

    def alike(self, variants: Iterable[str], *, exact: bool = False) -> set[str]:
        """Keys equal to one of the variants (tier 1) or, unless `exact`, sounding alike (tier 2: the same
        consonants and vowels transcriptions trade, `news.translit.sounds_alike`)."""
        out: set[str] = set()
        for v in variants:
            if v in self.docs:
                out.add(v)
            cons = consonants(v)
            if exact:
                continue
            if len(cons) < 2:
                continue
            for cand in self._by_consonants.get(cons, ()):
                if cand not in out and sounds_alike(v, cand):
                    out.add(cand)
        return out

    def expand(self, key: str) -> set[str]:
        """Keys of the vocabulary that spell the same name: exact, a typo away, or a vowel spelling away.

        Short keys (up to 6 letters) allow one inserted/deleted letter, one swap or one changed vowel
        (Hunt / Хант), never a changed consonant (Iran is not Ivan); 7-8 letters one edit; longer ones
        two. Keys whose consonant skeletons agree (5+ consonants) may differ by three (Ireland / Ирландия)."""
        out = {key} if key in self.docs else set()
        n = len(key)
        if n < 4:
            return out
        skel = skeleton(key)
        candidates: list[str] = []
        for length in range(n - 3, n + 4):
            candidates.extend(self._buckets.get((key[:1], length), ()))
        if not candidates:
            return out
        for cand, dist, _ in process.extract(
            key, candidates, scorer=OSA.distance, score_cutoff=3, limit=None
        ):
            if n <= 6:
                ok = dist <= 1 and (
                    Indel.distance(key, cand) <= 1 or sorted(key) == sorted(cand) or skeleton(cand) == skel
                )
            else:
                ok = dist <= (1 if n < 9 else 2)
            if ok or (len(skel) >= 5 and skeleton(cand) == skel):
                out.add(cand)
        return out


def _first_names_agree(a: str, b: str) -> bool:
    """Lenient: two keys of first names that may stand for the same person (Joe / Джо, Nicolas / Николя,
    Pavlo / Павел, Volodymyr / Владимир, an initial), since they only decide between people who share a
    surname."""
    if len(a) == 1 or len(b) == 1:
        return a[:1] == b[:1]
    if sounds_alike(a, b, min_consonants=1):
        return True
    if len(consonants(a)) >= 4 and consonants(a) == consonants(b):  # Ukrainian / Russian forms
        return True
    if min(len(a), len(b)) < 4:
        return False
    prefix = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return prefix >= 3 or OSA.distance(a, b) <= 1


@dataclass(slots=True)
class _NameQuery:
    """A name query, analysed: a place (searched by its place tokens) or a person-like name (searched by the
    head word's matching keys, then judged per article by the mentions' first names)."""

    place: bool
    terms: set[str]  # FTS tokens of the `names` column to look for
    head: tuple[str, ...] = ()  # keys of the last query word under every spelling variant
    firsts: tuple[tuple[str, ...], ...] = ()  # the same for each earlier word, and for them run together
    aliases: frozenset[str] = frozenset()  # full keys of the aliases of an entity the query names exactly
    _seen: dict[tuple[bool, str], bool] = field(default_factory=dict)

    def _is_head(self, tok: str) -> bool:
        hit = self._seen.get((True, tok))
        if hit is None:
            hit = tok in self.terms or any(sounds_alike(v, tok) for v in self.head)
            self._seen[(True, tok)] = hit
        return hit

    def _is_first(self, tok: str) -> bool:
        hit = self._seen.get((False, tok))
        if hit is None:
            hit = any(tok in vs or any(_first_names_agree(v, tok) for v in vs) for vs in self.firsts)
            self._seen[(False, tok)] = hit
        return hit

    def judge(self, mention_keys: Iterable[str]) -> float | None:
        """Bonus for an article whose mentions have these keys, or None when it names someone else: every
        full name with the head word has another first name (Ashley Fox for Liam Fox), or the head word
        is only a first name there (Muhammad Qadri for Prophet Muhammad)."""
        agree = disagree = bare = other = 0
        for mkey in mention_keys:
            if mkey in self.aliases:
                agree += 1
                continue
            toks = mkey.split()
            if not toks:
                continue
            if self._is_head(toks[-1]):
                if len(toks) == 1:
                    bare += 1
                elif (
                    not self.firsts
                    or any(self._is_first(t) for t in toks[:-1])
                    or self._is_first("".join(toks[:-1]))
                ):
                    agree += 1
                else:
                    disagree += 1
            elif any(self._is_head(t) for t in toks[:-1]):
                other += 1
        if agree:
            return 5.0 if self.firsts else 1.0
        if bare:
            return None if disagree else 0.0
        if disagree or other:
            return None
        return 0.0  # matched by a key the mentions do not show: no evidence against


# Words that stand before a name without being a first name (a query's "President Zelensky").
_TITLES = frozenset(
    "mr mrs ms dr sir lord lady president prime minister chancellor secretary senator governor mayor general"
    " pope king queen prince princess premier foreign".split()
)


def _name_words(text: str) -> list[str]:
    """The words of a name in a question: hyphenated parts apart, without 's; when some are capitalised,
    without the lower-case ones around them; without titles and common words before the last word."""
    words = [re.sub(r"['’]s$", "", w) for w in WORD.findall(text)]
    words = [p for w in words for p in re.split(r"[-‐]", w) if p]
    if any(w[:1].isupper() for w in words):
        words = [w for w in words if w[:1].isupper()]
    words = [w for w in words if not (w.islower() and len(w) <= 3 and not has_cyrillic(w))]
    if len(words) > 1:
        words = [
            w
            for w in words[:-1]
            if w.lower() not in _TITLES and not (has_cyrillic(w) and name_forms(w, "ru").known_word)
        ] + words[-1:]
    return words[-6:]


@lru_cache(maxsize=50_000)
def _name_firsts(name: str) -> tuple[str, ...]:
    """Keys of the words of an entity's name before the last one (its first names, if a person), without
    the places, titles and dictionary words a run of capitalised words joined to it ("Сейчас Путин",
    "Украина Зеленский")."""
    lang = _lang_of(name)
    out: list[str] = []
    for word in name.split()[:-1]:
        if word.lower() in _TITLES or (has_cyrillic(word) and name_forms(word, "ru").known_word):
            continue
        key = phrase_key(word, lang)
        if key and not geo_codes(key):
            out.extend(key.split())
    return tuple(out)


def _first_names_of(idx: _AliasIndex, entity_id: int) -> tuple[str, ...]:
    ent = idx.entities.get(entity_id)
    return _name_firsts(ent.name) if ent is not None and ent.kind == "PER" else ()


def _alias_score(q: _NameQuery, alias_key: str, entity_firsts: Sequence[str], base: float) -> float | None:
    """Score of an alias whose last word matched the query's at `base`, or None when it names someone else:
    the first names of the query and of the alias (or of its entity, for a bare surname) must agree."""
    theirs: Sequence[str] = alias_key.split()[:-1]
    own = bool(theirs)
    if not own:
        theirs = entity_firsts
    if not q.firsts:
        return base - 5  # a bare word: people who share it tie, and a one-word name is no better
    if not theirs:
        return base - 8 if base >= 90 else None  # no first name to confirm: not on a typo's word alone
    if any(q._is_first(t) for t in theirs) or q._is_first("".join(theirs)):
        return base if own else base - 2
    return None


def _person_core(m: Mention) -> Mention:
    """A person's mention without what a run of capitalised words joined before the name: a place ("на
    Украйна Володимир Зеленски", "президента Украины Зеленского"), an organisation or title before a first
    name ("пресс-секретарь Кремля Дмитрий Песков", "Foreign Secretary David Lammy"), so that the person's
    entity is named and linked as the person."""
    keys = [t.key for t in m.tokens]
    spans = [(w.start(), w.end()) for w in re.finditer(r"[^\s\-‐]+", m.surface)]
    words = [m.surface[a:b] for a, b in spans]
    if m.kind not in ("PER", "LOC") or len(keys) < 2 or len(words) != len(keys) or not all(keys):
        return m
    if geo_codes(m.key):
        return m
    cut = 0
    for j in (2, 1):  # a place first
        rest = m.tokens[j:]
        if not rest or not geo_codes(" ".join(keys[:j])):
            continue
        if geo_codes(" ".join(keys[j:])) or any(t.place or geo_codes(t.key) for t in rest):
            break
        if len(rest) >= 2 or not rest[0].known_word:
            cut = j
        break
    if len(keys) - cut >= 3:  # a first name after an organisation or title: Кремля Дмитрия Пескова
        k = next((i for i in range(cut + 1, len(keys) - 1) if is_first_name(words[i])), None)
        if k is not None and not (k == len(keys) - 2 and is_patronymic(words[-1])):  # Иванов Иван Иванович
            cut = k
    while len(keys) - cut >= 3 and m.tokens[cut].lemma in _TITLES:  # President Joe Biden
        cut += 1
    if cut == 0:
        return m
    a = spans[cut][0]
    return Mention(m.surface[a:], m.start + a, m.end, " ".join(keys[cut:]), m.tokens[cut:], "PER")


def _guessed_place(ent: _Entity) -> bool:
    """A one-word entity taken for a place only because the word is unknown (Байден, Рютте): no known
    place, no place in the dictionary; a person's full name with that surname makes it the person."""
    if ent.kind != "LOC" or " " in ent.name or not has_cyrillic(ent.name):
        return False
    forms = name_forms(ent.name, "ru")
    return not forms.place and not forms.known_word and not geo_codes(forms.key)


def _mention_firsts(m: Mention) -> tuple[str, ...]:
    """Keys of a person mention's first names: its words before the last one, without titles, dictionary
    words and places (see `_name_firsts`)."""
    return tuple(
        t.key
        for t in m.tokens[:-1]
        if t.key and t.lemma not in _TITLES and not t.known_word and not t.place and not geo_codes(t.key)
    )


@lru_cache(maxsize=50_000)
def _name_rank(name: str) -> tuple[int, int]:
    """How good a person's canonical name is: with a first name beats a bare surname, and fewer words that
    are no first names (titles, dictionary words, places: "Сейчас Путин", "Украина Зеленский") is better."""
    words = name.split()
    firsts = _name_firsts(name)
    return (1 if firsts else 0, -max(0, len(words) - 1 - len(firsts)))


def _same_person(a: _Entity, b: _Entity) -> bool:
    """Whether two entities matched by the same surname may be one person: of one kind (or one of them a
    bare word) and with first names that agree where both have them."""
    fa, fb = _name_firsts(a.name), _name_firsts(b.name)
    if a.kind != b.kind and fa and fb:
        return False
    if not fa or not fb:
        return True
    return any(_first_names_agree(x, y) for x in fa for y in fb) or _first_names_agree(
        "".join(fa), "".join(fb)
    )


_Analysis = tuple[str, str, list[Mention], list[Any]]  # body stems, cross keys, mentions, quotes
# id(article) → (article, future of its chunk, position in the chunk, prefetch generation)
_Prefetched = dict[int, tuple[PreparedArticle, "concurrent.futures.Future[list[_Analysis]]", int, int]]
_POOL_MIN_BATCH = 64  # batches this big are analysed by worker processes
_pool: concurrent.futures.ProcessPoolExecutor | None = None
_pool_failed = False


def _analyse(title: str, title_derived: bool, text: str, lang: str) -> _Analysis:
    """The pure, CPU-heavy part of indexing one article (no database, no shared state)."""
    from news.quotes import extract_quotes

    full = text if title_derived else f"{title}\n{text}"
    tokens = DOC_TOKEN.findall(full)
    words = [w for w in tokens if is_word(w)]
    lowercase = {w for w in words if w[:1].islower()}
    mentions = find_mentions(full, lang, lowercase)
    quotes = extract_quotes(text, lang if lang in ("ru", "bg", "en") else None)
    return " ".join(doc_terms(tokens, lang)), " ".join(cross_keys(words)), mentions, quotes


def _analyse_chunk(chunk: list[tuple[str, bool, str, str]]) -> list[_Analysis]:
    return [_analyse(*a) for a in chunk]


_workers_setting: int | None = None


def set_index_workers(count: int) -> None:
    """How many forked processes analyse big ingest batches (0 or 1: none). The bot sets 0: forking a
    process that runs network and database threads is unsafe, and its batches are small anyway."""
    global _workers_setting
    _workers_setting = max(0, count)


def _worker_count() -> int:
    if _workers_setting is not None:
        return _workers_setting
    env = os.environ.get("NEWSBOT_INDEX_WORKERS", "")
    if env.isdigit():
        return int(env)
    return min(4, os.cpu_count() or 1)


def _get_pool() -> concurrent.futures.ProcessPoolExecutor | None:
    """Worker processes for big batches, forked once the parent has loaded the dictionaries (so the
    children share them copy-on-write); None on one core, when disabled, or where fork is unavailable."""
    global _pool, _pool_failed
    if _pool is None and not _pool_failed:
        workers = _worker_count()
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            _pool_failed = True
            return None
        _analyse("Сергей Лавров", False, "«Да», — сказал министр. Москва, Россия.", "ru")  # warm the caches
        # Frozen objects are skipped by the children's garbage collector, which would otherwise walk (and
        # copy, page by page) the whole inherited heap on every full collection.
        gc.freeze()
        try:
            _pool = concurrent.futures.ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("fork")
            )
            _pool.submit(int).result()  # fork the workers now, while the heap is frozen
        finally:
            gc.unfreeze()
        atexit.register(_shutdown_pool)
    return _pool


def _submit(
    pool: concurrent.futures.ProcessPoolExecutor, arts: Sequence[PreparedArticle]
) -> list[tuple[concurrent.futures.Future[list[_Analysis]], int]]:
    """Send articles to the workers in chunks; (future of the chunk, position in it) per article."""
    payload: list[tuple[str, bool, str, str]] = [
        (a.title, a.title_derived, a.clean_text, a.lang) for a in arts
    ]
    size = max(8, len(payload) // (4 * _worker_count()))
    out: list[tuple[concurrent.futures.Future[list[_Analysis]], int]] = []
    for i in range(0, len(payload), size):
        fut = pool.submit(_analyse_chunk, payload[i : i + size])
        out.extend((fut, j) for j in range(len(payload[i : i + size])))
    return out


def _shutdown_pool() -> None:
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


async def _analyse_all(
    items: Sequence[tuple[int, PreparedArticle]],
    prefetched: _Prefetched | None = None,
) -> dict[int, _Analysis]:
    """Analyse a batch: from the workers' results when prefetched, in worker processes when it is big,
    else here."""
    global _pool, _pool_failed
    pending: dict[int, tuple[concurrent.futures.Future[list[_Analysis]], int]] = {}
    todo: list[tuple[int, PreparedArticle]] = []
    for aid, art in items:
        hit = prefetched.pop(id(art), None) if prefetched else None
        if hit is not None and hit[0] is art:
            pending[aid] = (hit[1], hit[2])
        else:
            todo.append((aid, art))
    pool = _get_pool() if len(todo) >= _POOL_MIN_BATCH else None
    if pool is not None:
        pending.update(zip((aid for aid, _ in todo), _submit(pool, [a for _, a in todo]), strict=True))
        todo = []
    out: dict[int, _Analysis] = {}
    try:
        for fut in {f for f, _ in pending.values()}:
            await asyncio.wrap_future(fut)
        for aid, (fut, j) in pending.items():
            out[aid] = fut.result()[j]
    except concurrent.futures.process.BrokenProcessPool:
        log.warning("index workers failed; analysing in-process")
        _pool, _pool_failed = None, True
        todo = list(items)
        out = {}
    for aid, art in todo:
        out[aid] = _analyse(art.title, art.title_derived, art.clean_text, art.lang)
    return out


class Engine:
    """`news.ports.AnswerEngine` on SQLite, and the `ArticleIndexHook` that feeds it."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._aliases: _AliasIndex | None = None
        self._vocab: _NameVocab | None = None
        self._pending: dict[str, list[tuple[Any, ...]]] | None = None
        self._next_id = 0
        self._df: dict[str, int] = {}  # document frequency cache (see _stats)
        self._df_docs = 0
        self._prefetched: _Prefetched = {}
        self._prefetch_gen = 0

    # ============================================================================ indexing

    def prefetch(self, articles: Sequence[PreparedArticle]) -> None:
        """Start analysing articles that are about to be stored (in worker processes, while the previous
        batch is written); `index_articles` picks the results up. Small batches are left alone."""
        pool = _get_pool() if len(articles) >= _POOL_MIN_BATCH else None
        if pool is None:
            return
        # Duplicates never reach index_articles: forget what the batch before the previous one left.
        stale = self._prefetch_gen - 1
        for key in [k for k, v in self._prefetched.items() if v[3] < stale]:
            del self._prefetched[key]
        self._prefetch_gen += 1
        for art, (fut, j) in zip(articles, _submit(pool, articles), strict=True):
            self._prefetched[id(art)] = (art, fut, j, self._prefetch_gen)

    async def index_articles(
        self, conn: aiosqlite.Connection, items: Sequence[tuple[int, PreparedArticle]]
    ) -> None:
        """Index freshly stored articles inside the ingest transaction (ArticleIndexHook)."""
        try:
            await self._index(conn, items)
        except BaseException:
            self._aliases = None  # the transaction rolls back: forget what was learnt
            self._vocab = None
            self._pending = None
            raise

    async def _index(self, conn: aiosqlite.Connection, items: Sequence[tuple[int, PreparedArticle]]) -> None:
        analysed = await _analyse_all(items, self._prefetched)
        aliases = await self._alias_index(conn)
        async with conn.execute("SELECT COALESCE(MAX(id), 0) FROM entities") as cur:
            row = await cur.fetchone()
        self._next_id = int(row[0]) if row else 0
        self._pending = {"entities": [], "aliases": [], "renames": []}
        index_rows: list[tuple[int, str, str, str]] = []
        mention_rows: list[tuple[int, int | None, str, str, int]] = []
        quote_rows: list[tuple[Any, ...]] = []
        vocab_counts: Counter[str] = Counter()
        for article_id, art in items:
            lang = art.lang
            body_text, cross_text, mentions, found_quotes = analysed[article_id]
            name_terms: list[str] = []
            grouped: dict[str, tuple[Mention, int]] = {}
            for m in mentions:
                for t in m.tokens:
                    name_terms.extend(t.keys)
                for code in geo_codes_in(m.key):  # the place a mention is or starts with
                    name_terms.append(geo_token(code))
                prev = grouped.get(m.key)
                grouped[m.key] = (prev[0] if prev else m, (prev[1] if prev else 0) + 1)
            for key, (m, count) in grouped.items():
                entity_id = await self._link(conn, aliases, m)
                mention_rows.append((article_id, entity_id, m.surface, key, count))
            index_rows.append((article_id, body_text, " ".join(name_terms), cross_text))
            vocab_counts.update(set(name_terms))
            for q in found_quotes:
                entity_id, speaker_key = await self._link_speaker(conn, aliases, q.speaker, lang)
                attribution = q.attribution if q.attribution in _ATTRIBUTION_WEIGHT else None
                kind = q.kind if q.kind in ("quote", "statement") else "quote"
                quote_rows.append(
                    (
                        article_id,
                        entity_id,
                        q.speaker,
                        speaker_key,
                        q.text,
                        q.start,
                        q.end,
                        q.verb,
                        attribution,
                        kind,
                        _norm_hash(q.text),
                    )
                )
        await self._flush_pending(conn)
        await conn.executemany(
            "INSERT INTO article_index(article_id, body, names, cross) VALUES (?,?,?,?)", index_rows
        )
        lengths = [
            sum(len(r[1].split()) - r[1].count(SENTENCE_END) for r in index_rows),
            sum(len(r[2].split()) for r in index_rows),
            sum(len(r[3].split()) for r in index_rows),
        ]
        await conn.executemany(
            "UPDATE engine_state SET v = v + ? WHERE k = ?",
            [
                (len(index_rows), "index_docs"),
                (lengths[0], "index_len_body"),
                (lengths[1], "index_len_names"),
                (lengths[2], "index_len_cross"),
            ],
        )
        if mention_rows:
            await conn.executemany(
                "INSERT INTO mentions(article_id, entity_id, surface, key, count) VALUES (?,?,?,?,?)",
                mention_rows,
            )
        if quote_rows:
            await conn.executemany(
                "INSERT INTO quotes(article_id, entity_id, speaker_text, speaker_key, text, start, end, verb,"
                " attribution, kind, norm) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                quote_rows,
            )
        if vocab_counts:
            await conn.executemany(
                "INSERT INTO name_vocab(key, docs) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET docs = docs + excluded.docs",
                list(vocab_counts.items()),
            )
            if self._vocab is not None:
                for key, n in vocab_counts.items():
                    self._vocab.add(key, n)

    async def reindex(self, *, batch: int = 500, on_progress: Any = None) -> int:
        """Rebuild every index from the stored articles; admin aliases are kept. Returns the article count."""
        from news.articles import ArticleDraft

        async with self._db.atomic() as conn:
            for sql in (
                "DELETE FROM mentions",
                "DELETE FROM quotes",
                "DELETE FROM article_index",
                "UPDATE engine_state SET v = 0 WHERE k LIKE 'index_%'",
                "DELETE FROM name_vocab",
                "DELETE FROM aliases WHERE origin <> 'admin'",
                "DELETE FROM entities WHERE id NOT IN (SELECT entity_id FROM aliases)",
                "INSERT INTO doc_fts(doc_fts) VALUES ('rebuild')",
            ):
                await conn.execute(sql)
            await self._bump(conn)
        self._aliases = None
        self._vocab = None
        done = 0
        last = 0
        while True:
            rows = await self._db.fetchall(
                "SELECT id, title, title_derived, body, clean_text, lang, source FROM articles WHERE id > ?"
                " ORDER BY id LIMIT ?",
                (last, batch),
            )
            if not rows:
                return done
            items = [
                (
                    int(r["id"]),
                    PreparedArticle(
                        draft=ArticleDraft(body=str(r["body"]), source=str(r["source"])),
                        title=str(r["title"]),
                        title_derived=bool(r["title_derived"]),
                        clean_text=str(r["clean_text"]),
                        lang=r["lang"],
                        canonical_url=None,
                        content_hash="",
                    ),
                )
                for r in rows
            ]
            async with self._db.atomic() as conn:
                await self.index_articles(conn, items)
            last = items[-1][0]
            done += len(items)
            if on_progress is not None:
                on_progress(len(items))

    async def _alias_index(self, conn: aiosqlite.Connection) -> _AliasIndex:
        async with conn.execute("SELECT v FROM engine_state WHERE k = 'alias_version'") as cur:
            row = await cur.fetchone()
        version = int(row[0]) if row else 0
        if self._aliases is not None and self._aliases.version == version:
            return self._aliases
        idx = _AliasIndex()
        async with conn.execute("SELECT id, kind, name FROM entities") as cur:
            for r in await cur.fetchall():
                idx.entities[int(r[0])] = _Entity(int(r[0]), str(r[1]), str(r[2]))
        async with conn.execute("SELECT key, entity_id FROM aliases ORDER BY id") as cur:
            for r in await cur.fetchall():
                idx.add(str(r[0]), int(r[1]))
        idx.version = version
        self._aliases = idx
        return idx

    async def _new_entity(
        self,
        conn: aiosqlite.Connection,
        idx: _AliasIndex,
        kind: str,
        name: str,
        key: str,
        origin: str = "auto",
    ) -> int:
        if self._pending is not None:  # batched ingest: ids are ours to give inside the write transaction
            self._next_id += 1
            entity_id = self._next_id
            self._pending["entities"].append((entity_id, kind, name, key))
        else:
            cur = await conn.execute(
                "INSERT INTO entities(kind, name, key) VALUES (?,?,?)", (kind, name, key)
            )
            entity_id = int(cur.lastrowid or 0)
        idx.entities[entity_id] = _Entity(entity_id, kind, name)
        await self._add_alias_row(conn, idx, entity_id, name, key, origin)
        return entity_id

    async def _add_alias_row(
        self,
        conn: aiosqlite.Connection,
        idx: _AliasIndex,
        entity_id: int,
        surface: str,
        key: str,
        origin: str,
    ) -> None:
        if not key:
            return
        if entity_id in idx.by_key.get(key, ()):
            return
        if self._pending is not None:
            self._pending["aliases"].append((entity_id, surface, key, origin))
        else:
            await conn.execute(
                "INSERT OR IGNORE INTO aliases(entity_id, surface, key, origin) VALUES (?,?,?,?)",
                (entity_id, surface, key, origin),
            )
        idx.add(key, entity_id)

    async def _flush_pending(self, conn: aiosqlite.Connection) -> None:
        pending, self._pending = self._pending, None
        if not pending:
            return
        await conn.executemany(
            "INSERT INTO entities(id, kind, name, key) VALUES (?,?,?,?)", pending["entities"]
        )
        await conn.executemany(
            "INSERT OR IGNORE INTO aliases(entity_id, surface, key, origin) VALUES (?,?,?,?)",
            pending["aliases"],
        )
        await conn.executemany("UPDATE entities SET name = ?, kind = ? WHERE id = ?", pending["renames"])

    async def _geo_entity(self, conn: aiosqlite.Connection, idx: _AliasIndex, code: str) -> int:
        token = geo_token(code)
        found = idx.by_key.get(token)
        if found:
            return found[0]
        names = geo_names(code)
        english = next((n for n in names if not has_cyrillic(n)), code)
        entity_id = await self._new_entity(conn, idx, "LOC", english, token, "geo")
        for name in names:
            for lang in ("ru", "bg"):
                await self._add_alias_row(conn, idx, entity_id, name, phrase_key(name, lang), "geo")
        return entity_id

    async def _link(self, conn: aiosqlite.Connection, idx: _AliasIndex, m: Mention) -> int | None:
        """The entity a mention names, learning aliases and creating the entity when it is new. A person's
        full name joins the entity of the same surname whose first names agree (or that has none: a bare
        surname), never one with other first names (Hunter Biden is not Joe Biden), and gives that entity
        a better canonical name when its own is worse (a bare surname, or words a run of capitalised words
        joined to the name)."""
        m = _person_core(m)
        found = idx.by_key.get(m.key)
        if found:
            await self._improve_name(conn, idx, found[0], m)
            return found[0]
        codes = geo_codes(m.key)
        if codes:
            entity_id = await self._geo_entity(conn, idx, sorted(codes)[0])
            await self._add_alias_row(conn, idx, entity_id, m.surface, m.key, "auto")
            return entity_id
        keys = [t.key for t in m.tokens if t.key]
        if m.kind == "PER" and len(keys) == 2 and not is_first_name(m.tokens[0].lemma):
            people = [self._full_named(idx, k) for k in keys]  # two surnames in a row: "Трамп Путину"
            if people[0] is not None and people[1] is not None and people[0] != people[1]:
                return people[1]
        if m.kind == "PER" and len(keys) > 1:
            same = self._same_surname_entity(idx, m, keys)
            if same is not None:
                await self._add_alias_row(conn, idx, same, m.surface, m.key, "auto")
                await self._improve_name(conn, idx, same, m)
                return same
        entity_id = await self._new_entity(conn, idx, m.kind, _display_name(m), m.key)
        if m.kind == "PER" and len(keys) > 1 and len(keys[-1]) >= 3 and keys[-1] not in idx.by_key:
            await self._add_alias_row(conn, idx, entity_id, m.tokens[-1].lemma.capitalize(), keys[-1], "auto")
        return entity_id

    @staticmethod
    def _full_named(idx: _AliasIndex, key: str) -> int | None:
        """The person a one-word key names, when that entity has a first name too."""
        for entity_id in idx.by_key.get(key, ())[:1]:
            ent = idx.entities.get(entity_id)
            if ent is not None and ent.kind == "PER" and _name_firsts(ent.name):
                return entity_id
        return None

    @staticmethod
    def _same_surname_entity(idx: _AliasIndex, m: Mention, keys: Sequence[str]) -> int | None:
        """The person entity a full name "A B" belongs to: one with an alias ending in B (the surname, or
        the name's last words) whose first names agree with A, else one whose name has no first name."""
        firsts = _mention_firsts(m)
        agree: list[int] = []
        bare: list[int] = []
        seen: set[int] = set()
        alias_keys = [" ".join(keys[i:]) for i in range(1, len(keys) - 1)]  # Юн Сок Ёль after a title
        if len(keys[-1]) >= 3:
            alias_keys.extend(idx.by_last.get(keys[-1], ()))
        for akey in alias_keys:
            for entity_id in idx.by_key.get(akey, ()):
                ent = idx.entities.get(entity_id)
                if entity_id in seen or ent is None or not (ent.kind == "PER" or _guessed_place(ent)):
                    continue
                seen.add(entity_id)
                theirs = _name_firsts(ent.name)
                if not theirs:
                    bare.append(entity_id)  # a bare surname, or a name spoilt by words joined to it
                elif firsts and (
                    any(_first_names_agree(a, b) for a in firsts for b in theirs)
                    or _first_names_agree("".join(firsts), "".join(theirs))
                ):
                    agree.append(entity_id)
        if not firsts:  # only titles or dictionary words before the surname: as the bare surname
            owner = next(iter(idx.by_key.get(keys[-1], ())), None)
            ent = idx.entities.get(owner) if owner is not None else None
            if ent is not None and ent.kind == "PER":
                return owner
            return bare[0] if bare else None
        exact = [e for e in agree if set(firsts) & set(_name_firsts(idx.entities[e].name))]
        best = exact or agree or bare
        return best[0] if best else None

    async def _improve_name(
        self, conn: aiosqlite.Connection, idx: _AliasIndex, entity_id: int, m: Mention
    ) -> None:
        """Rename a person's entity after a mention whose full name is a better canonical name."""
        ent = idx.entities.get(entity_id)
        if ent is None or m.kind != "PER" or len(m.tokens) < 2:
            return
        if not (ent.kind == "PER" or _guessed_place(ent)):
            return
        name = _display_name(m)
        if ent.kind == "PER" and (name == ent.name or _name_rank(name) <= _name_rank(ent.name)):
            return
        ent.name, ent.kind = name, "PER"
        if self._pending is not None:
            self._pending["renames"].append((name, "PER", entity_id))
        else:
            await conn.execute("UPDATE entities SET name = ?, kind = 'PER' WHERE id = ?", (name, entity_id))

    async def _link_speaker(
        self, conn: aiosqlite.Connection, idx: _AliasIndex, speaker: str | None, lang: str
    ) -> tuple[int | None, str | None]:
        if not speaker:
            return None, None
        mentions = find_mentions(speaker, lang, set(), check_starts=False)
        if not mentions:
            return None, None
        people = [m for m in mentions if m.kind == "PER"]
        m = (people or mentions)[-1]
        return await self._link(conn, idx, m), m.key

    # ============================================================================ aliases (admin)

    async def _bump(self, conn: aiosqlite.Connection) -> None:
        await conn.execute("UPDATE engine_state SET v = v + 1 WHERE k = 'alias_version'")

    async def add_alias(self, canonical: str, alias: str) -> SpeakerRef:
        """Make `alias` another name of the entity called `canonical` (created if unknown). Articles already
        stored follow at once: the alias's mentions and quotes are re-linked, entities it named are merged."""
        canonical, alias = " ".join(canonical.split()), " ".join(alias.split())
        ckey = phrase_key(canonical, _lang_of(canonical))
        akey = phrase_key(alias, _lang_of(alias))
        if not ckey or not akey:
            raise ValueError("a name needs letters")
        async with self._db.atomic() as conn:
            idx = await self._alias_index(conn)
            ids = idx.by_key.get(ckey) or []
            if ids:
                target = ids[0]
            else:
                target = await self._new_entity(conn, idx, "PER", canonical, ckey, "admin")
            for other in list(idx.by_key.get(akey, ())):
                if other != target:
                    await self._merge(conn, other, target)
            for surface, key in ((canonical, ckey), (alias, akey)):
                await conn.execute(
                    "INSERT INTO aliases(entity_id, surface, key, origin) VALUES (?,?,?, 'admin')"
                    " ON CONFLICT(entity_id, key) DO UPDATE SET origin = 'admin', surface = excluded.surface",
                    (target, surface, key),
                )
            await conn.execute("UPDATE mentions SET entity_id = ? WHERE key = ?", (target, akey))
            await conn.execute("UPDATE quotes SET entity_id = ? WHERE speaker_key = ?", (target, akey))
            await self._bump(conn)
            self._aliases = None
        return await self._speaker_ref(target)

    @staticmethod
    async def _merge(conn: aiosqlite.Connection, other: int, target: int) -> None:
        await conn.execute("UPDATE mentions SET entity_id = ? WHERE entity_id = ?", (target, other))
        await conn.execute("UPDATE quotes SET entity_id = ? WHERE entity_id = ?", (target, other))
        await conn.execute("UPDATE OR IGNORE aliases SET entity_id = ? WHERE entity_id = ?", (target, other))
        await conn.execute("DELETE FROM entities WHERE id = ?", (other,))

    async def remove_alias(self, alias: str, canonical: str | None = None) -> int:
        """Remove an alias (of `canonical`, or of whichever entity has it); its mentions and quotes go to
        an entity of their own again. Returns how many aliases were removed."""
        akey = phrase_key(alias, _lang_of(alias))
        ckey = phrase_key(canonical, _lang_of(canonical)) if canonical else None
        removed = 0
        async with self._db.atomic() as conn:
            idx = await self._alias_index(conn)
            owners = list(idx.by_key.get(akey, ()))
            if ckey:
                owners = [o for o in owners if o in idx.by_key.get(ckey, [])]
            for owner in owners:
                ent = idx.entities.get(owner)
                if ent is not None and ent.name and phrase_key(ent.name, _lang_of(ent.name)) == akey:
                    continue  # the canonical name itself is not removable
                cur = await conn.execute("DELETE FROM aliases WHERE entity_id = ? AND key = ?", (owner, akey))
                removed += cur.rowcount or 0
                cur2 = await conn.execute(
                    "INSERT INTO entities(kind, name, key) VALUES ('PER', ?, ?)", (alias, akey)
                )
                fresh = int(cur2.lastrowid or 0)
                await conn.execute(
                    "INSERT OR IGNORE INTO aliases(entity_id, surface, key, origin) VALUES (?,?,?, 'auto')",
                    (fresh, alias, akey),
                )
                await conn.execute(
                    "UPDATE mentions SET entity_id = ? WHERE key = ? AND entity_id = ?", (fresh, akey, owner)
                )
                await conn.execute(
                    "UPDATE quotes SET entity_id = ? WHERE speaker_key = ? AND entity_id = ?",
                    (fresh, akey, owner),
                )
            await self._bump(conn)
            self._aliases = None
        return removed

    async def list_aliases(self, *, include_auto: bool = False) -> list[tuple[str, str, str]]:
        """(canonical name, alias, origin) rows: admin aliases, or all with include_auto."""
        where = "" if include_auto else "WHERE al.origin = 'admin'"
        rows = await self._db.fetchall(
            "SELECT e.name, al.surface, al.origin FROM aliases al JOIN entities e ON e.id = al.entity_id"
            f" {where} ORDER BY e.name, al.surface"
        )
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]

    # ============================================================================ reading helpers

    async def _reader_aliases(self) -> _AliasIndex:
        version = int(await self._db.scalar("SELECT v FROM engine_state WHERE k = 'alias_version'") or 0)
        if self._aliases is not None and self._aliases.version == version:
            return self._aliases
        return await self._alias_index(self._db.reader)

    async def _name_vocab(self) -> _NameVocab:
        if self._vocab is None:
            vocab = _NameVocab()
            for r in await self._db.fetchall("SELECT key, docs FROM name_vocab"):
                vocab.add(str(r[0]), int(r[1]))
            self._vocab = vocab
        return self._vocab

    async def _speaker_ref(self, entity_id: int, extra: Sequence[int] = ()) -> SpeakerRef:
        ids = [entity_id, *[e for e in extra if e != entity_id]]
        marks = ",".join("?" * len(ids))
        row = await self._db.fetchone("SELECT name, kind FROM entities WHERE id = ?", (entity_id,))
        rows = await self._db.fetchall(
            f"SELECT DISTINCT surface FROM aliases WHERE entity_id IN ({marks}) ORDER BY origin, id LIMIT 20",
            ids,
        )
        name = str(row[0]) if row else ""
        aliases = tuple(dict.fromkeys(str(r[0]) for r in rows if str(r[0]) != name))
        return SpeakerRef(entity_id, name, aliases, str(row[1]) if row else "PER")

    @staticmethod
    def _article_ref(row: sqlite3.Row) -> ArticleRef:
        return ArticleRef(
            id=int(row["aid"]),
            title=str(row["title"]),
            url=row["url"],
            source=str(row["source"]),
            lang=str(row["lang"]),
            published=row["published_at"],
        )

    # ============================================================================ entities

    async def _match_entities(self, text: str, *, fuzzy: bool = True) -> list[tuple[int, float]]:
        """(entity id, score 0..100) for a name, best first, as name search matches it: an alias key (100),
        then by the last word (a surname) spelt as indexed, in another spelling (Farage / Фараж, Zelenskyy /
        Зеленский) or, with `fuzzy`, a typo away (Jonhson, Lavorv), and first names that agree (Liam Fox is
        not Ashley Fox). A bare surname scores a little less for a person with first names, so people who
        share it tie. Ties go to a person with quotes, then to the most mentioned; candidates 10 points or
        more behind the best are left out (one clearly better match comes alone)."""
        idx = await self._reader_aliases()
        words = _name_words(text)
        if not words:
            return []
        langs: tuple[str, ...] = ("ru", "bg") if has_cyrillic(" ".join(words)) else ("en",)
        phrases = dict.fromkeys((" ".join(words), " ".join(WORD.findall(text))))
        keys = [k for k in dict.fromkeys(phrase_key(p, lang) for p in phrases for lang in langs) if k]
        scores: dict[int, float] = {}

        def put(entity_id: int, score: float) -> None:
            scores[entity_id] = max(scores.get(entity_id, 0.0), score)

        for key in keys:
            for entity_id in idx.by_key.get(key, ()):
                put(entity_id, 100.0 if " " in key else 95.0)
            for code in geo_codes(key):
                for entity_id in idx.by_key.get(geo_token(code), ()):
                    put(entity_id, 100.0)
        variants = [self._word_variants(w, langs) for w in words]
        firsts = variants[:-1]
        if len(words) > 2:
            firsts.append(self._word_variants("".join(words[:-1]), langs))
        q = _NameQuery(False, set(), variants[-1], tuple(firsts))
        vocab = idx.last_words
        exact = vocab.alike(variants[-1], exact=True)
        tiers: list[tuple[set[str], float]] = [(exact, 100.0), (vocab.alike(variants[-1]) - exact, 93.0)]
        if fuzzy and not any(found for found, _ in tiers) and len(words[-1]) >= 4:
            tiers.append((self._typo_keys(vocab, words[-1], variants[-1], langs), 84.0))
        for found, base in tiers:
            for last in found:
                for akey in idx.by_last.get(last, ()):
                    for entity_id in idx.by_key.get(akey, ()):
                        score = _alias_score(q, akey, _first_names_of(idx, entity_id), base)
                        if score is not None:
                            put(entity_id, score)
        if not scores:
            return []
        return await self._rank_entities(idx, scores)

    async def _rank_entities(self, idx: _AliasIndex, scores: dict[int, float]) -> list[tuple[int, float]]:
        top = sorted(scores.items(), key=lambda kv: -kv[1])[:50]
        ids = [entity_id for entity_id, _ in top]
        marks = ",".join("?" * len(ids))
        quoted = {
            int(r[0]): int(r[1])
            for r in await self._db.fetchall(
                f"SELECT entity_id, COUNT(*) FROM quotes WHERE entity_id IN ({marks}) GROUP BY entity_id", ids
            )
        }
        mentioned = {
            int(r[0]): int(r[1] or 0)
            for r in await self._db.fetchall(
                f"SELECT entity_id, SUM(count) FROM mentions WHERE entity_id IN ({marks}) GROUP BY entity_id",
                ids,
            )
        }

        def order(kv: tuple[int, float]) -> tuple[float, bool, bool, int, int, int]:
            entity_id, score = kv
            ent = idx.entities.get(entity_id)
            person = ent is not None and ent.kind == "PER"
            quotes = quoted.get(entity_id, 0)
            return (
                -score,
                not (person and quotes),
                not person,
                -quotes,
                -mentioned.get(entity_id, 0),
                entity_id,
            )

        ranked = sorted(top, key=order)
        best = ranked[0][1]
        return [(entity_id, score) for entity_id, score in ranked if score > best - 10]

    async def _one_speaker(self, matches: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """The best match, with the matches as good that are the same person under another entity (names
        whose first names agree, e.g. a bare surname), all at the best score: for a who-said answer, which
        must not mix the quotes of two people who share a surname."""
        if not matches:
            return []
        idx = await self._reader_aliases()
        top_id, best = matches[0]
        top = idx.entities.get(top_id)
        if top is None:
            return matches[:1]
        same = [top]
        for entity_id, score in matches[1:]:
            ent = idx.entities.get(entity_id)
            if score >= best - 5 and ent is not None and all(_same_person(s, ent) for s in same):
                same.append(ent)
        return [(ent.id, best) for ent in same]

    async def resolve_entities(self, text: str, *, limit: int = 5) -> list[EntityMatch]:
        """Known people, places and organisations the text may name, best first (see `_match_entities`):
        one entry when one matches clearly best, else the candidates for a "did you mean" choice."""
        try:
            matches = await self._match_entities(text[:300])
        except Exception:
            log.exception("resolve_entities failed")
            return []
        out: list[EntityMatch] = []
        for entity_id, score in matches[:limit]:
            ref = await self._speaker_ref(entity_id)
            out.append(EntityMatch(entity_id, ref.name, ref.kind, score, ref.aliases))
        return out

    async def entities_in_article(self, article_id: int) -> list[int]:
        """Ids of the entities an article mentions."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT entity_id FROM mentions WHERE article_id = ? AND entity_id IS NOT NULL",
            (article_id,),
        )
        return [int(r[0]) for r in rows]

    # ============================================================================ search

    @staticmethod
    def _word_variants(word: str, langs: Sequence[str]) -> tuple[str, ...]:
        """Keys of one query word: every Latin spelling variant, or the Cyrillic lemma and stem keys."""
        cap = word if not word.islower() else word.capitalize()
        keys: list[str] = []
        if not has_cyrillic(word):
            keys.extend(latin_variants(word))
        for lang in langs:
            keys.extend(name_forms(cap, lang).keys)
        return tuple(dict.fromkeys(k for k in keys if k))

    async def _name_query(self, text: str) -> _NameQuery | None:
        """Analyse a search text as a name: a known place (any language, one typo allowed) or the keys of
        the name's last word that the index holds (exact, sounding alike, then a typo away)."""
        words = [w for w in WORD.findall(text) if not (w.islower() and len(w) <= 3 and not has_cyrillic(w))]
        words = [p for w in words for p in re.split(r"[-‐]", w) if p]
        if not words or len(words) > 6:
            return None
        phrase = " ".join(words)
        langs: tuple[str, ...] = ("ru", "bg") if has_cyrillic(phrase) else ("en",)
        keys = list(dict.fromkeys(k for k in (phrase_key(phrase, lang) for lang in langs) if k))
        if not keys:
            return None
        codes = {c for k in keys for c in geo_codes(k)}
        vocab = await self._name_vocab()
        variants = [self._word_variants(w, langs) for w in words]
        if codes:
            return _NameQuery(place=True, terms={geo_token(c) for c in codes})
        head = vocab.alike(variants[-1], exact=True)
        if not head:
            codes = set(geo_near(*keys, *(phrase.lower() for _ in langs[:1] if not has_cyrillic(phrase))))
            if codes:
                return _NameQuery(place=True, terms={geo_token(c) for c in codes})
            head = vocab.alike(variants[-1]) or self._typo_keys(vocab, words[-1], variants[-1], langs)
        else:
            head |= vocab.alike(variants[-1])
        firsts = variants[:-1]
        if len(words) > 2:
            firsts.append(self._word_variants("".join(words[:-1]), langs))
        aliases: set[str] = set()
        idx = await self._reader_aliases()
        for entity_id in {e for k in keys for e in idx.by_key.get(k, ())}:
            rows = await self._db.fetchall("SELECT key FROM aliases WHERE entity_id = ?", (entity_id,))
            for r in rows:
                akey = str(r[0])
                aliases.add(akey)
                parts = akey.split()
                if parts and not parts[-1].startswith("geo"):
                    head.add(parts[-1])  # a surname, or a one-word name
        if not head:
            return None
        return _NameQuery(False, head, variants[-1], tuple(firsts), frozenset(aliases))

    @staticmethod
    def _typo_keys(vocab: _NameVocab, word: str, variants: Sequence[str], langs: Sequence[str]) -> set[str]:
        """Keys a typo away: the word with two neighbouring letters swapped back (Jonhson), or a key one or
        two edits from a variant's (`_NameVocab.expand`)."""
        out: set[str] = set()
        if len(word) >= 4:
            for i in range(1, len(word) - 1):
                swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
                if swapped != word:
                    out |= vocab.alike(Engine._word_variants(swapped, langs))
        if not out:
            for v in variants[:4]:
                out |= vocab.expand(v)
        return {k for k in out if not geo_codes(k)}  # a person's name a typo away from a place is not it

    async def _name_search(self, text: str, limit: int | None) -> tuple[dict[int, float], set[str]]:
        """Articles naming what the text names, with their scores, and the index terms that matched."""
        q = await self._name_query(text)
        if q is None or not q.terms:
            return {}, set()
        cap = max(limit, 1) if (q.place and limit) else -1
        rows = await self._db.fetchall(
            "SELECT rowid, bm25(doc_fts, 0.0, 1.0) AS r FROM doc_fts WHERE doc_fts MATCH ?"
            " ORDER BY r LIMIT ?",
            (f"names : ({fts_or(q.terms)})", cap),
        )
        scored = {int(r[0]): -float(r[1]) for r in rows}
        if q.place:
            return scored, q.terms
        kept: dict[int, float] = {}
        ids = list(scored)
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            by_article: dict[int, list[str]] = defaultdict(list)
            marks = ",".join("?" * len(part))
            for r in await self._db.fetchall(
                f"SELECT article_id, key FROM mentions WHERE article_id IN ({marks})", part
            ):
                by_article[int(r[0])].append(str(r[1]))
            for aid in part:
                bonus = q.judge(by_article.get(aid, ()))
                if bonus is not None:
                    kept[aid] = scored[aid] + bonus
            if limit and len(kept) >= 2 * limit:
                break
        return kept, q.terms

    async def search_articles(self, text: str, *, limit: int | None = 10) -> list[ArticleHit]:
        """Articles that mention the text (a name in any script or case form, or words); limit None = all."""
        try:
            return await self._search(text[:1000], limit)
        except Exception:
            log.exception("search failed for %r", text[:80])
            return []

    async def _search(self, text: str, limit: int | None) -> list[ArticleHit]:
        if not any(ch.isalnum() for ch in text):
            return []
        cap = -1 if limit is None else max(limit, 0)
        scored, name_terms = await self._name_search(text, limit)  # names: see _name_query
        if not scored:
            words = query_terms(text)[0][:20]
            if not words:
                return []
            query = " AND ".join(fts_quote(w) for w in dict.fromkeys(words))
            rows = await self._db.fetchall(
                "SELECT rowid, bm25(doc_fts, 1.0, 0.0, 0.0) AS r FROM doc_fts WHERE doc_fts MATCH ?"
                " ORDER BY r LIMIT ?",
                (f"body : ({query})", cap if cap > 0 else -1),
            )
            for r in rows:
                scored[int(r[0])] = -float(r[1])
            matched_terms: set[str] = set()
        else:
            matched_terms = name_terms
        ranked = sorted(scored.items(), key=lambda kv: -kv[1])
        if limit:
            ranked = ranked[:limit]
        if not ranked:
            return []
        ids = [aid for aid, _ in ranked]
        refs: dict[int, ArticleRef] = {}
        surfaces: dict[int, list[str]] = defaultdict(list)
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            marks = ",".join("?" * len(part))
            for r in await self._db.fetchall(
                f"SELECT {_ARTICLE_COLUMNS} FROM articles a WHERE a.id IN ({marks})", part
            ):
                refs[int(r["aid"])] = self._article_ref(r)
            if matched_terms:
                for r in await self._db.fetchall(
                    f"SELECT article_id, surface, key FROM mentions WHERE article_id IN ({marks})", part
                ):
                    mkey = str(r[2])
                    if set(mkey.split()) & matched_terms or any(
                        geo_token(c) in matched_terms for c in geo_codes(mkey)
                    ):
                        surfaces[int(r[0])].append(str(r[1]))
        top = ranked[0][1] or 1.0
        return [
            ArticleHit(refs[aid], score / top, tuple(dict.fromkeys(surfaces.get(aid, ()))))
            for aid, score in ranked
            if aid in refs
        ]

    # ============================================================================ questions

    async def ask(self, question: str, *, limit: int = 10) -> Answer:
        """Answer a who-said or free question; never raises."""
        text = question if isinstance(question, str) else str(question)
        if len(text) > MAX_QUESTION_CHARS:
            return Answer(text[:200], "none", note="too_long")
        try:
            return await self._ask(text, max(1, min(limit, 100)))
        except Exception:
            log.exception("ask failed for %r", text[:80])
            return Answer(text, "none", note="nothing_found")

    async def _ask(self, text: str, limit: int) -> Answer:
        q = parse_question(text)
        if q.kind == "empty":
            return Answer(text, "none", note="empty_question")
        if q.kind in ("who_said", "quotes") and q.who:
            matches = await self._one_speaker(await self._match_entities(q.who))
            if matches:
                return await self._quotes_answer(text, q, matches, limit)
            return Answer(text, "none", note="nothing_found", topic=q.topic)
        # a bare name?
        words = WORD.findall(q.text)
        if 1 <= len(words) <= 4 and len(q.text) <= 60:
            matches = await self._one_speaker(await self._match_entities(q.text))
            if matches and matches[0][1] >= 75:
                return await self._quotes_answer(text, Question(q.text, "quotes", q.text), matches, limit)
        return await self._free_answer(text, limit)

    async def _quotes_answer(
        self, text: str, q: Question, matches: list[tuple[int, float]], limit: int
    ) -> Answer:
        best = matches[0][1]
        ids = [eid for eid, score in matches if score >= best - 5][:10]
        speaker = await self._speaker_ref(ids[0], ids[1:])
        marks = ",".join("?" * len(ids))
        rows = await self._db.fetchall(
            f"SELECT q.id, q.text, q.kind, q.attribution, q.norm, q.speaker_text, {_ARTICLE_COLUMNS}"
            f" FROM quotes q JOIN articles a ON a.id = q.article_id WHERE q.entity_id IN ({marks})"
            " ORDER BY q.id DESC LIMIT 3000",  # the newest, when a speaker has very many
            ids,
        )
        if not rows:
            items = await self._mention_passages(ids, limit)
            intent: Intent = "quotes" if speaker.kind == "PER" else "search"
            if not items:
                return Answer(text, "none", speaker=speaker, note="nothing_found", topic=q.topic)
            return Answer(text, intent, speaker, tuple(items), note="no_quotes", topic=q.topic)
        topic_terms = self._terms(q.topic) if q.topic else set()
        newest = max((str(r["published_at"] or "") for r in rows), default="")
        scored: list[tuple[float, sqlite3.Row]] = []
        for r in rows:
            qt = str(r["text"])
            score = _ATTRIBUTION_WEIGHT.get(r["attribution"] or "", 0.6) * (
                1.0 if r["kind"] == "quote" else 0.8
            )
            nwords = len(qt.split())
            score += 0.3 * min(nwords, 15) / 15
            if nwords < 3:
                score -= 0.3
            if topic_terms:
                qterms = set(text_stems(qt))
                score += 1.5 * len(topic_terms & qterms) / len(topic_terms)
            if newest and str(r["published_at"] or "") == newest:
                score += 0.05
            scored.append((score, r))
        scored.sort(key=lambda sr: -sr[0])
        groups: list[tuple[float, sqlite3.Row, list[ArticleRef]]] = []
        group_texts: list[str] = []
        by_norm: dict[str, int] = {}
        enough = max(limit * 3, 30)  # groups that can still be shown; later quotes only join them
        for score, r in scored:
            gi = by_norm.get(str(r["norm"]))
            if gi is None and groups:
                found = process.extractOne(str(r["text"]), group_texts, scorer=fuzz.ratio, score_cutoff=90)
                if found is not None:
                    gi = int(found[2])
            if gi is not None:
                g = groups[gi]
                aid = int(r["aid"])
                if aid != int(g[1]["aid"]) and all(a.id != aid for a in g[2]):
                    g[2].append(self._article_ref(r))
                continue
            if len(groups) >= enough:
                continue
            by_norm[str(r["norm"])] = len(groups)
            groups.append((score, r, []))
            group_texts.append(str(r["text"]))
        # diversity: the best quote of each article first, then the rest, each in score order
        seen: set[int] = set()
        first: list[int] = []
        rest: list[int] = []
        for i, (_, r, _) in enumerate(groups):
            (rest if int(r["aid"]) in seen else first).append(i)
            seen.add(int(r["aid"]))
        order = first + rest
        order = sorted(order[: limit * 2], key=lambda i: (i not in first[:limit], -groups[i][0]))[:limit]
        items = []
        for i in order:
            score, r, also = groups[i]
            items.append(
                AnswerItem(
                    kind="quote" if r["kind"] == "quote" else "statement",
                    text=str(r["text"]),
                    article=self._article_ref(r),
                    score=score,
                    speaker=speaker.name or r["speaker_text"],
                    attribution=r["attribution"],
                    also_in=tuple(also),
                )
            )
        return Answer(text, "quotes", speaker, tuple(items), topic=q.topic)

    async def _mention_passages(self, entity_ids: list[int], limit: int) -> list[AnswerItem]:
        # the newest mentions of each entity, read backwards along the (entity_id, article_id) index
        each = " UNION ALL ".join(
            "SELECT * FROM (SELECT article_id, surface FROM mentions WHERE entity_id = ?"
            " ORDER BY article_id DESC LIMIT 200)"
            for _ in entity_ids
        )
        rows = await self._db.fetchall(
            f"SELECT m.article_id, m.surface, {_ARTICLE_COLUMNS} FROM ({each}) m JOIN articles a"
            " ON a.id = m.article_id ORDER BY a.published_at DESC, a.id DESC LIMIT 200",
            entity_ids,
        )
        first: dict[int, sqlite3.Row] = {}
        for r in rows:
            first.setdefault(int(r["aid"]), r)
        aids = list(first)[: limit * 3]
        if not aids:
            return []
        texts: dict[int, list[str]] = defaultdict(list)
        pmarks = ",".join("?" * len(aids))
        for p in await self._db.fetchall(
            f"SELECT article_id, text FROM passages WHERE article_id IN ({pmarks}) ORDER BY article_id, seq",
            aids,
        ):
            texts[int(p[0])].append(str(p[1]))
        items: list[AnswerItem] = []
        for aid in aids:
            r = first[aid]
            surface = str(r["surface"])
            passage = next((t for t in texts.get(aid, ()) if surface in t), None)
            if passage is None:
                continue
            items.append(AnswerItem("passage", passage, self._article_ref(r), 1.0 / (1 + len(items))))
            if len(items) >= limit:
                break
        return items

    @staticmethod
    def _terms(text: str | None) -> set[str]:
        if not text:
            return set()
        return {t for t in text_stems(text[:5000]) if len(t) > 1}

    async def _query_parts(self, text: str) -> QueryTerms:
        """Body stems (in order, repeats kept), name keys, other-script and same-script keys of a question."""
        names: list[str] = []
        body, words = query_terms(text)
        body = [t for t in body if len(t) > 1][:60]
        lowercase = {w for w in words if w[:1].islower()}
        for m in find_mentions(text, _lang_of(text), lowercase):
            for forms in m.tokens:
                names.extend(forms.keys[:2])
            for code in geo_codes(m.key):
                names.append(geo_token(code))
        cross = list(dict.fromkeys(query_cross_keys(words)))[:30]
        same = [k[1:] if k[0] == "0" else "0" + k for k in cross]
        return QueryTerms(tuple(body), tuple(dict.fromkeys(names))[:20], tuple(cross), tuple(same))

    async def _stats(self, terms: QueryTerms) -> Stats:
        """Collection statistics for the question's terms. Document frequencies come from the FTS5
        vocabulary (all columns together: the columns' tokens hardly overlap) and are cached until the
        collection has grown by 5%."""
        rows = await self._db.fetchall("SELECT k, v FROM engine_state WHERE k LIKE 'index_%'")
        st = {str(r[0]): int(r[1]) for r in rows}
        docs = max(1, st.get("index_docs", 0))
        avg = tuple(max(1.0, st.get(f"index_len_{c}", 0) / docs) for c in ("body", "names", "cross"))
        if not (self._df_docs <= docs <= self._df_docs * 1.05) or len(self._df) > 100_000:
            self._df, self._df_docs = {}, docs
        wanted = [t for t in dict.fromkeys((*terms.body, *terms.names, *terms.cross, *terms.same)) if t]
        missing = [t for t in wanted if t not in self._df]
        if missing:
            found = {}
            for chunk in range(0, len(missing), 200):
                part = missing[chunk : chunk + 200]
                marks = ",".join("?" * len(part))
                for r in await self._db.fetchall(
                    f"SELECT term, doc FROM doc_vocab WHERE term IN ({marks})", part
                ):
                    found[str(r[0])] = int(r[1])
            for t in missing:
                self._df[t] = found.get(t, 0)
        return Stats(docs, {t: self._df[t] for t in wanted}, (avg[0], avg[1], avg[2]))

    async def rank_articles(self, question: str, *, limit: int = 10) -> list[tuple[int, float]]:
        """Article ids ranked for a free question, best first: FTS5 bm25 over stems, name keys and
        cross-script keys finds candidates, `news.ranking.rerank` orders them."""
        q = await self._query_parts(question[:MAX_QUESTION_CHARS])
        return (await self._rank(q, question[:MAX_QUESTION_CHARS], limit))[0]

    @staticmethod
    def _selective(terms: Sequence[str], stats: Stats, budget: int) -> list[str]:
        """The terms worth a posting-list scan: the rarer ones, until their document counts add up to
        `budget` (a term in a quarter of the collection tells little and costs the most)."""
        ranked = sorted((t for t in terms if stats.df.get(t, 0) > 0), key=lambda t: stats.df.get(t, 0))
        out: list[str] = []
        spent = 0
        for t in ranked:
            n = stats.df.get(t, 0)
            if out and (spent + n > budget or n > stats.docs // 4):
                break
            out.append(t)
            spent += n
        return out

    async def _rank(self, q: QueryTerms, question: str, limit: int) -> tuple[list[tuple[int, float]], Stats]:
        stats = await self._stats(q)
        budget = max(_CANDIDATE_BUDGET, stats.docs // 20)
        body = self._selective(q.body, stats, budget)
        names = self._selective(q.names, stats, budget)
        clauses = []
        if body:
            clauses.append(f"body : ({fts_or(body)})")
        if names:
            clauses.append(f"names : ({fts_or(names)})")
        if q.cross:  # other-script keys: the only way from an English question to a Russian article
            cross = self._selective(q.cross, stats, budget)
            if cross:
                clauses.append(f"cross : ({fts_or(cross)})")
        if not clauses:
            return [], stats
        depth = max(limit, _RERANK_DEPTH)
        rows = await self._db.fetchall(
            "SELECT f.rowid, i.body, i.names, i.cross FROM doc_fts f JOIN article_index i"
            " ON i.article_id = f.rowid WHERE doc_fts MATCH ? ORDER BY bm25(doc_fts, 1.0, 1.5, 0.5) LIMIT ?",
            (" OR ".join(clauses), depth),
        )
        if not rows:
            return [], stats
        cands = [Candidate(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]
        scored = rerank(q, cands, stats)
        top = scored[0][1] or 1.0
        scored = [(aid, score / top) for aid, score in scored]
        head = [aid for aid, _ in scored[:FUZZ_TOP]]
        if len(head) > 1 and q.body:
            marks = ",".join("?" * len(head))
            texts = {
                int(r[0]): str(r[1])
                for r in await self._db.fetchall(
                    f"SELECT id, substr(clean_text, 1, 20000) FROM articles WHERE id IN ({marks})", head
                )
            }
            boosted = [
                (aid, sc + W_FUZZ * sentence_match(question, texts.get(aid, "")))
                for aid, sc in scored[:FUZZ_TOP]
            ]
            scored = sorted(boosted, key=lambda kv: -kv[1]) + scored[FUZZ_TOP:]
            top = scored[0][1] or 1.0
            scored = [(aid, sc / top) for aid, sc in scored]
        return scored[:limit], stats

    async def _free_answer(self, text: str, limit: int) -> Answer:
        q = await self._query_parts(text)
        ranked, stats = await self._rank(q, text, max(limit * 3, 20))
        if not ranked:
            return Answer(text, "none", note="nothing_found")
        body, names = list(q.body), list(q.names)
        weights = {
            t: math.log(1 + stats.docs / (1 + stats.df.get(t, 0))) for t in dict.fromkeys(body + names)
        }
        total = sum(weights.values()) or 1.0
        ids = [aid for aid, _ in ranked]
        marks = ",".join("?" * len(ids))
        passages = await self._db.fetchall(
            f"SELECT p.article_id, p.text, {_ARTICLE_COLUMNS} FROM passages p"
            f" JOIN articles a ON a.id = p.article_id WHERE p.article_id IN ({marks})",
            ids,
        )
        rank_of = {aid: i for i, aid in enumerate(ids)}
        best: dict[int, tuple[float, sqlite3.Row]] = {}
        name_set = set(names)
        for p in passages:
            ptext = str(p["text"])
            terms = self._terms(ptext)
            pnames: set[str] = set()
            if name_set:
                for m in find_mentions(ptext, str(p["lang"]), set()):
                    for t in m.tokens:
                        pnames.update(t.keys)
                    pnames.update(geo_token(c) for c in geo_codes(m.key))
            covered = sum(w for t, w in weights.items() if t in terms or t in pnames)
            score = covered / total - 0.01 * rank_of[int(p["article_id"])]
            aid = int(p["article_id"])
            if aid not in best or score > best[aid][0]:
                best[aid] = (score, p)
        good = sorted(((s, p) for s, p in best.values() if s >= 0.3), key=lambda sp: -sp[0])[:limit]
        if not good:
            return Answer(text, "none", note="nothing_found")
        items = tuple(AnswerItem("passage", str(p["text"]), self._article_ref(p), float(s)) for s, p in good)
        return Answer(text, "search", answers=items)
