#!/usr/bin/env python3
"""Answer-engine speed: ingest throughput, question latency p50/p95/p99 and peak memory.

Usage, from the project root:  python bench/speed.py [--quick] [--scale 10]

Ingests the Telegram posts of ../shared/eval/telegram_ru_posts/raw/*.json (22,099 posts) through the real
ingest path (prepare, store, index inside the transaction), then asks a fixed set of questions built from
the posts themselves (names and word pairs) and times them; then does the same at `--scale` times the posts
(copies with changed ids). bm25s and tantivy answer the same queries over the same texts, in the same run.
--quick uses 3,000 posts and scale 2.

posts/s counts every post read (stored, duplicate or rejected) per second of ingest, indexing included.
Two latency rows are ours: `ask` (parse, resolve names, rank, pick passages or quotes, dedupe) and
`rank_articles` (the search step alone, comparable with the baselines' single search call). Peak MB is
the benchmark process's maximum resident size; the index worker processes are reported apart.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POSTS = ROOT.parent / "shared" / "eval" / "telegram_ru_posts" / "raw"

from news.articles import ArticleDraft  # noqa: E402
from news.names import WORD  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from quality import open_engine  # noqa: E402


def load_posts(limit: int | None) -> list[str]:
    """Post texts, in file order."""
    texts: list[str] = []
    for path in sorted(POSTS.glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            if isinstance(item, dict) and isinstance(item.get("text"), str) and item["text"].strip():
                texts.append(item["text"])
    return texts[:limit] if limit else texts


def make_queries(texts: list[str], n: int = 200) -> list[str]:
    """Questions of every kind, drawn from the posts with a fixed seed."""
    rng = random.Random(3)
    out: list[str] = []
    while len(out) < n:
        words = WORD.findall(rng.choice(texts))
        caps = [w for w in words if w[:1].isupper() and len(w) > 3]
        low = [w for w in words if w.islower() and len(w) > 4]
        kind = len(out) % 4
        if kind == 0 and caps:
            out.append(f"Что сказал {rng.choice(caps)}?")
        elif kind == 1 and caps:
            out.append(rng.choice(caps))
        elif kind == 2 and len(low) >= 2:
            out.append(" ".join(rng.sample(low, 2)) + "?")
        elif low:
            out.append("Сколько " + " ".join(rng.sample(low, min(3, len(low)))) + "?")
    return out


def worker_peak_mb() -> float:
    """The largest peak resident size among the engine's index worker processes (0 without workers)."""
    import news.engine

    pool = news.engine._pool
    peak = 0.0
    for pid in getattr(pool, "_processes", None) or {}:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]) / 1024)
    return peak


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (0..100)."""
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


async def run_scale(texts: list[str], copies: int, queries: list[str]) -> None:
    """Ingest `copies` × posts, then time the queries."""
    with tempfile.TemporaryDirectory() as tmp:
        db, engine, ingest = await open_engine(Path(tmp) / "speed.sqlite3")
        t0 = time.perf_counter()
        added = 0
        for c in range(copies):
            for start in range(0, len(texts), 2048):  # drafts made as they are needed, like files read
                drafts = [
                    ArticleDraft(body=f"{t}\n\n#{c}-{i}" if c else t, source=f"tg-{c}-{i}", lang="ru")
                    for i, t in enumerate(texts[start : start + 2048], start=start)
                ]
                report = await ingest.ingest_drafts(drafts)
                added += len(report.added)
        ingest_s = time.perf_counter() - t0
        for q in queries[:5]:  # warm caches (vocabulary, alias index)
            await engine.ask(q)
        lat: list[float] = []
        for q in queries:
            t = time.perf_counter()
            await engine.ask(q)
            lat.append((time.perf_counter() - t) * 1000)
        ranked: list[float] = []  # the search step alone, which is what the baselines do
        for q in queries:
            t = time.perf_counter()
            await engine.rank_articles(q, limit=10)
            ranked.append((time.perf_counter() - t) * 1000)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        workers = worker_peak_mb()
        posts = len(texts) * copies
        print(
            f"{added:>8d} {posts / ingest_s:10.0f} {pct(lat, 50):8.1f} {pct(lat, 95):8.1f}"
            f" {pct(lat, 99):8.1f} {peak:9.0f}  ours: ask (whole answer);"
            f" {added / ingest_s:.0f} stored articles/s, largest index worker peak {workers:.0f} MB"
        )
        print(
            f"{added:>8d} {'':>10s} {pct(ranked, 50):8.1f} {pct(ranked, 95):8.1f} {pct(ranked, 99):8.1f}"
            f" {'':>9s}  ours: rank_articles (search only)"
        )
        await db.close()
    corpus = texts * copies
    for name in ("bm25s", "tantivy"):
        try:
            lat = baseline_latency(name, corpus, queries)
        except Exception as exc:
            print(f"{name}: unavailable ({exc})")
            continue
        print(
            f"{len(corpus):>8d} {'':>10s} {pct(lat, 50):8.2f} {pct(lat, 95):8.2f} {pct(lat, 99):8.2f}"
            f" {'':>9s}  {name}"
        )


def baseline_latency(name: str, corpus: list[str], queries: list[str]) -> list[float]:
    """Per-query milliseconds of bm25s or tantivy over the same texts."""
    lat: list[float] = []
    if name == "bm25s":
        import bm25s
        import Stemmer

        stem = Stemmer.Stemmer("russian")
        r = bm25s.BM25()
        r.index(bm25s.tokenize(corpus, stemmer=stem, show_progress=False), show_progress=False)
        for q in queries:
            t = time.perf_counter()
            with contextlib.suppress(Exception):
                r.retrieve(bm25s.tokenize([q], stemmer=stem, show_progress=False), k=10, show_progress=False)
            lat.append((time.perf_counter() - t) * 1000)
        return lat
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("body", stored=False)
    index = tantivy.Index(sb.build())
    w = index.writer()
    for d in corpus:
        w.add_document(tantivy.Document(body=d))
    w.commit()
    index.reload()
    s = index.searcher()
    for q in queries:
        t = time.perf_counter()
        clean = "".join(c if c.isalnum() else " " for c in q)
        with contextlib.suppress(Exception):
            s.search(index.parse_query(clean, ["body"]), 10)
        lat.append((time.perf_counter() - t) * 1000)
    return lat


def main() -> int:
    """Run the speed benchmark and print its table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--scale", type=int, default=10, help="the large run uses this many copies (default 10)")
    ap.add_argument("--skip-large", action="store_true", help="only the 1× run")
    a = ap.parse_args()
    texts = load_posts(3000 if a.quick else None)
    queries = make_queries(texts)
    print(f"posts: {len(texts)}; queries: {len(queries)}")
    print(
        f"{'articles':>8s} {'posts/s':>10s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s}"
        f" {'peak MB':>9s}  system"
    )
    asyncio.run(run_scale(texts, 1, queries))
    if not a.skip_large:
        asyncio.run(run_scale(texts, 2 if a.quick else a.scale, queries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
