"""Second-stage ranking of candidate articles for a free question.

FTS5 finds candidates (bm25 over the `body`, `names` and `cross` columns, `news.engine`); this module
re-scores the top few dozen in Python with features that FTS5 cannot compute:

- BM25 of our own per column (k1, b tuned; see below) over the stored term sequences, so that
  stems, name keys, cross-script keys of the other script and truncated keys of the same script (Russian
  "французский" / "Франция" share "franc") each count with their own weight;
- proximity: the idf-weighted share of the question's stems found within one window of `WINDOW` terms
  (the answer sentence of a paragraph usually holds most of the question's words);
- ordered pairs of consecutive question stems found next to each other (or one term apart).

- and, for the first few, the best sentence's rapidfuzz token_set_ratio with the question (`sentence_match`).

The weights were tuned on half of XQuAD ru→ru (even-numbered questions) and checked on the other half;
en→ru fixed the weight of other-script keys (`W_CROSS`). Measured figures are in bench/quality.py's output.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from news.terms import SENTENCE_END

__all__ = ["FUZZ_TOP", "Candidate", "QueryTerms", "Stats", "rerank", "sentence_match"]

K1 = 0.9
B = 0.6
W_NAMES = 1.0
W_CROSS = 2.0  # keys of the other script (English question, Russian article)
W_SELF = 1.5  # truncated keys of the same script
W_NEAR = 3.0
W_PAIRS = 1.0
WINDOW = 10
W_SENT = 1.0
W_FUZZ = 0.7  # the best sentence's rapidfuzz token_set_ratio with the question, for the first FUZZ_TOP
FUZZ_TOP = 6
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True, slots=True)
class QueryTerms:
    """What a question looks for, per column."""

    body: tuple[str, ...]  # stems, in question order
    names: tuple[str, ...]
    cross: tuple[str, ...]  # other-script keys
    same: tuple[str, ...]  # same-script keys


@dataclass(frozen=True, slots=True)
class Stats:
    """Collection statistics: document count, per-column document frequencies and average lengths."""

    docs: int
    df: Mapping[str, int]  # term → documents that have it (in any column)
    avg: tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate article's stored columns."""

    id: int
    body: str
    names: str
    cross: str


def _idf(stats: Stats, term: str) -> float:
    n = stats.df.get(term, 0)
    return math.log(1 + (stats.docs - n + 0.5) / (n + 0.5))


def _bm25(terms: Sequence[str], tf: Counter[str], length: int, avg: float, idf: Mapping[str, float]) -> float:
    if not terms or not tf:
        return 0.0
    norm = K1 * (1 - B + B * length / (avg or 1.0))
    s = 0.0
    for t in terms:
        f = tf.get(t)
        if f:
            s += idf[t] * f * (K1 + 1) / (f + norm)
    return s


def rerank(q: QueryTerms, cands: Sequence[Candidate], stats: Stats) -> list[tuple[int, float]]:
    """(article id, score) best first."""
    body_set = tuple(dict.fromkeys(q.body))
    names = tuple(dict.fromkeys(q.names))
    cross = tuple(dict.fromkeys(q.cross))
    same = tuple(dict.fromkeys(q.same))
    idf_b = {t: _idf(stats, t) for t in body_set}
    idf_n = {t: _idf(stats, t) for t in names}
    idf_c = {t: _idf(stats, t) for t in cross + same}
    total_b = sum(idf_b.values()) or 1.0
    pairs = set(zip(q.body, q.body[1:], strict=False))
    pair_total = sum(idf_b[a] + idf_b[b] for a, b in pairs) or 1.0
    out: list[tuple[int, float]] = []
    for c in cands:
        seq = c.body.split()
        tf_b = Counter(seq)
        ends = tf_b.pop(SENTENCE_END, 0)
        s = _bm25(body_set, tf_b, len(seq) - ends, stats.avg[0], idf_b)
        if names and c.names:
            ntoks = c.names.split()
            s += W_NAMES * _bm25(names, Counter(ntoks), len(ntoks), stats.avg[1], idf_n)
        if (cross or same) and c.cross:
            ctoks = c.cross.split()
            tf_c = Counter(ctoks)
            if cross:
                s += W_CROSS * _bm25(cross, tf_c, len(ctoks), stats.avg[2], idf_c)
            if same:
                s += W_SELF * _bm25(same, tf_c, len(ctoks), stats.avg[2], idf_c)
        if len(body_set) > 1:
            s += W_NEAR * _best_window(seq, idf_b) / total_b
            if W_SENT:
                s += W_SENT * _best_sentence(seq, idf_b) / total_b
        if pairs:
            near = {(seq[j], seq[j + 1]) for j in range(len(seq) - 1)}
            near.update((seq[j], seq[j + 2]) for j in range(len(seq) - 2))
            hit = pairs & near
            if hit:
                s += W_PAIRS * sum(idf_b[a] + idf_b[b] for a, b in hit) / pair_total
        out.append((c.id, s))
    out.sort(key=lambda kv: -kv[1])
    return out


def _best_window(seq: Sequence[str], weights: Mapping[str, float]) -> float:
    """The largest idf mass of distinct question terms inside any window of WINDOW consecutive terms."""
    pos = [(j, t) for j, t in enumerate(seq) if t in weights]
    best = 0.0
    for a in range(len(pos)):
        j0 = pos[a][0]
        seen: set[str] = set()
        for j, t in pos[a:]:
            if j - j0 >= WINDOW:
                break
            seen.add(t)
        mass = sum(weights[t] for t in seen)
        if mass > best:
            best = mass
    return best


def _best_sentence(seq: Sequence[str], weights: Mapping[str, float]) -> float:
    """The largest idf mass of distinct question terms inside one sentence."""
    best = 0.0
    seen: set[str] = set()
    for t in seq:
        if t == SENTENCE_END:
            if seen:
                best = max(best, sum(weights[x] for x in seen))
                seen = set()
        elif t in weights:
            seen.add(t)
    if seen:
        best = max(best, sum(weights[x] for x in seen))
    return best


def sentence_match(question: str, text: str, *, max_sentences: int = 80) -> float:
    """0..1: how well the best sentence of the text matches the question, word set against word set
    (rapidfuzz token_set_ratio, which also rewards inflected and misspelt forms that stems miss)."""
    q = question.lower()
    best = 0.0
    for i, sent in enumerate(_SENTENCE.split(text)):
        if i >= max_sentences:
            break
        if len(sent) > 3:
            best = max(best, fuzz.token_set_ratio(q, sent.lower()))
    return best / 100
