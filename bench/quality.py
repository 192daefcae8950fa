#!/usr/bin/env python3
"""Answer-engine quality: XQuAD retrieval, SlavicNER cross-script name search, PolNeAR quotes.

Usage, from the project root:  python bench/quality.py [--quick] [--only xquad|names|quotes]

- XQuAD (../shared/eval/xquad): each paragraph is ingested as an article; each question is ranked with
  `Engine.rank_articles`; recall@1/5/10 and MRR for ru→ru, en→en and en→ru, with bm25s (Snowball stems)
  and tantivy (its stemmer) rows over the same paragraphs and questions.
- SlavicNER (../shared/eval/slavicner): per topic, ru+bg articles ingested; for each person/place in 3+
  articles its Latin name (from the ID), lemma and a one-letter typo are searched (`search_articles`, all
  results); macro recall and precision, the same protocol as ../shared/eval/score_names.py, with a
  bm25s and tantivy rows over anyascii-transliterated texts (every article holding all the query's words).
- PolNeAR dev: ../shared/eval/score_quotes.py runs the quote extractor and prints P/R/F1.
Eval data is read at run time and never copied into the project.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
EVAL = SHARED / "eval"

from news.articles import ArticleDraft  # noqa: E402
from news.clock import SystemClock  # noqa: E402
from news.engine import Engine  # noqa: E402
from news.ingest import IngestService  # noqa: E402
from storage.articles import SqliteArticleStore  # noqa: E402
from storage.db import Database  # noqa: E402


async def open_engine(path: Path) -> tuple[Database, Engine, IngestService]:
    """A fresh database with the engine hooked into ingest."""
    db = await Database.open(path)
    store = SqliteArticleStore(db, SystemClock())
    engine = Engine(db)
    store.add_hook(engine)
    return db, engine, IngestService(store)


def row(name: str, values: Sequence[float]) -> str:
    """One table row."""
    return f"{name:28s} " + " ".join(f"{v:7.3f}" for v in values)


# ------------------------------------------------------------------------------------------ XQuAD


def _xquad(lang: str) -> tuple[list[str], list[tuple[str, int]]]:
    data = json.loads((EVAL / "xquad" / f"xquad.{lang}.json").read_text(encoding="utf-8"))
    paragraphs: list[str] = []
    questions: list[tuple[str, int]] = []
    for art in data["data"]:
        for para in art["paragraphs"]:
            paragraphs.append(para["context"])
            for qa in para["qas"]:
                questions.append((qa["question"], len(paragraphs) - 1))
    return paragraphs, questions


def _metrics(ranks: list[int | None]) -> list[float]:
    n = len(ranks) or 1
    r1 = sum(1 for r in ranks if r is not None and r < 1) / n
    r5 = sum(1 for r in ranks if r is not None and r < 5) / n
    r10 = sum(1 for r in ranks if r is not None and r < 10) / n
    mrr = sum(1 / (r + 1) for r in ranks if r is not None) / n
    return [r1, r5, r10, mrr]


def _bm25s_ranker(docs: list[str], lang: str) -> Callable[[str], list[int]]:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("russian" if lang == "ru" else "english")
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(docs, stemmer=stemmer, show_progress=False), show_progress=False)

    def rank(q: str) -> list[int]:
        toks = bm25s.tokenize([q], stemmer=stemmer, show_progress=False)
        try:
            res, _ = retriever.retrieve(toks, k=10, show_progress=False)
        except Exception:
            return []
        return [int(x) for x in res[0]]

    return rank


def _tantivy_ranker(docs: list[str], lang: str) -> Callable[[str], list[int]]:
    import tantivy

    sb = tantivy.SchemaBuilder()
    tok = "ru_stem" if lang == "ru" else "en_stem"
    sb.add_text_field("body", stored=False, tokenizer_name=tok)
    sb.add_integer_field("i", stored=True)
    schema = sb.build()
    index = tantivy.Index(schema)
    if lang == "ru":
        index.register_tokenizer(
            "ru_stem",
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer("russian"))
            .build(),
        )
    writer = index.writer()
    for i, d in enumerate(docs):
        writer.add_document(tantivy.Document(body=d, i=i))
    writer.commit()
    index.reload()
    searcher = index.searcher()

    def rank(q: str) -> list[int]:
        clean = "".join(c if c.isalnum() else " " for c in q)
        try:
            query = index.parse_query(clean, ["body"])
            hits = searcher.search(query, 10).hits
        except Exception:
            return []
        return [int(searcher.doc(addr)["i"][0]) for _, addr in hits]

    return rank


def _rank_of(found: list[int], target: int) -> int | None:
    return found.index(target) if target in found else None


async def bench_xquad(quick: bool) -> None:
    """Recall@1/5/10 and MRR for ru→ru, en→en, en→ru, ours vs bm25s and tantivy."""
    ru_docs, ru_qs = _xquad("ru")
    en_docs, en_qs = _xquad("en")
    if quick:
        ru_qs, en_qs = ru_qs[::4], en_qs[::4]
    print("\nXQuAD question → paragraph (240 paragraphs)")
    print(f"{'system / pair':28s} {'R@1':>7s} {'R@5':>7s} {'R@10':>7s} {'MRR':>7s}  queries")
    with tempfile.TemporaryDirectory() as tmp:
        ids: dict[str, list[int]] = {}
        engines: dict[str, Engine] = {}
        dbs = []
        for lang, docs in (("ru", ru_docs), ("en", en_docs)):
            db, engine, ingest = await open_engine(Path(tmp) / f"xq_{lang}.sqlite3")
            dbs.append(db)
            drafts = [
                ArticleDraft(body=d, source=f"xquad-{lang}-{i}", title=f"p{i}", lang=lang)
                for i, d in enumerate(docs)
            ]
            report = await ingest.ingest_drafts(drafts)
            ids[lang] = report.added
            engines[lang] = engine
        for pair, qs, lang in (("ru→ru", ru_qs, "ru"), ("en→en", en_qs, "en"), ("en→ru", en_qs, "ru")):
            back = {aid: i for i, aid in enumerate(ids[lang])}
            ranks = []
            t0 = time.perf_counter()
            for q, target in qs:
                found = [back.get(aid, -1) for aid, _ in await engines[lang].rank_articles(q, limit=10)]
                ranks.append(_rank_of(found, target))
            dt = (time.perf_counter() - t0) / max(1, len(qs)) * 1000
            print(row(f"ours {pair}", _metrics(ranks)) + f"  {len(qs)} ({dt:.1f} ms/q)")
            if pair == "ru→ru" and not quick:  # news.ranking's weights were tuned on the even half
                print(row("ours ru→ru held-out half", _metrics(ranks[1::2])) + f"  {len(ranks[1::2])} (odd)")
        for db in dbs:
            await db.close()
    for name, factory in (("bm25s", _bm25s_ranker), ("tantivy", _tantivy_ranker)):
        for pair, qs, lang, docs in (
            ("ru→ru", ru_qs, "ru", ru_docs),
            ("en→en", en_qs, "en", en_docs),
            ("en→ru", en_qs, "ru", ru_docs),
        ):
            try:
                rank = factory(docs, lang)
            except Exception as exc:
                print(f"{name} {pair}: unavailable ({exc})")
                continue
            if pair == "en→ru":  # the baseline's bridge: transliterate the docs, query in English
                from anyascii import anyascii

                rank = factory([anyascii(d) for d in docs], "en")
            ranks = [_rank_of(rank(q), target) for q, target in qs]
            print(row(f"{name} {pair}", _metrics(ranks)) + f"  {len(qs)}")


# ------------------------------------------------------------------------------------------ SlavicNER


def _typo(name: str, rng: random.Random) -> str:
    words = name.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    if len(w) >= 5:
        j = rng.randrange(1, len(w) - 2)
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    words[i] = w
    return " ".join(words)


def _plain(e: str) -> bool:
    kind, *words = e.split("-")
    return (
        kind in ("PER", "GPE")
        and 1 <= len(words) <= 3
        and all(w.isalpha() and w[:1].isupper() and w[1:].islower() for w in words)
    )


def _slavic_truth(topic: str) -> tuple[dict[str, set[str]], dict[str, collections.Counter[str]]]:
    h = EVAL / "slavicner"
    truth: dict[str, set[str]] = collections.defaultdict(set)
    lemmas: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for lang in ("ru", "bg"):
        for tsv in sorted((h / "ner" / topic / lang).glob("*.tsv")):
            raw = h / "raw" / topic / lang / (tsv.stem + ".txt")
            if not raw.exists():
                continue
            for line in tsv.read_text(encoding="utf-8").splitlines():
                parts = line.split("\t")
                if len(parts) < 6 or parts[4] not in ("PER", "LOC"):
                    continue
                truth[parts[5]].add(str(raw.resolve()))
                lemmas[parts[5]][parts[3]] += 1
    return truth, lemmas


async def bench_names(quick: bool) -> None:
    """Macro recall/precision of name search per query form, as score_names.py measures it."""
    h = EVAL / "slavicner"
    topics = sorted(p.name for p in (h / "raw").iterdir() if (h / "ner" / p.name).is_dir())
    if quick:
        topics = topics[:2]
    print("\nSlavicNER name search (ru+bg articles; macro over entities, then topics)")
    print(f"{'topic / form':28s} {'recall':>7s} {'prec':>7s}")
    totals: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
    for topic in topics:
        truth, lemmas = _slavic_truth(topic)
        rng = random.Random(7)
        ents = sorted(
            [e for e, d in truth.items() if len(d) >= 3 and _plain(e)], key=lambda e: -len(truth[e])
        )
        ents = ents[:40] + rng.sample(ents[40:], min(40, max(0, len(ents) - 40)))
        forms: dict[str, list[tuple[str, str]]] = {"latin": [], "lemma": [], "typo": []}
        for e in ents:
            latin = " ".join(e.split("-")[1:])
            forms["latin"].append((e, latin))
            forms["lemma"].append((e, lemmas[e].most_common(1)[0][0]))
            forms["typo"].append((e, _typo(latin, rng)))
        with tempfile.TemporaryDirectory() as tmp:
            db, engine, ingest = await open_engine(Path(tmp) / "names.sqlite3")
            t0 = time.perf_counter()
            dirs = [h / "raw" / topic / lang for lang in ("ru", "bg") if (h / "raw" / topic / lang).is_dir()]
            report = await ingest.ingest_paths(dirs)
            ingest_s = time.perf_counter() - t0
            for form, qs in forms.items():
                rec, prec = [], []
                for e, q in qs:
                    hits = await engine.search_articles(q, limit=None)
                    found = {str(Path(hit.article.source).resolve()) for hit in hits}  # noqa: ASYNC240
                    hit_n = len(found & truth[e])
                    rec.append(hit_n / len(truth[e]))
                    prec.append(hit_n / len(found) if found else 0.0)
                r, p = sum(rec) / len(rec), sum(prec) / len(prec)
                totals[form].append((r, p))
                print(
                    row(f"{topic[:18]} {form}", [r, p]) + f"  {len(qs)} q, {len(report.added)} art "
                    f"({len(report.added) / ingest_s:.0f}/s)" * (form == "latin")
                )
            await db.close()
        files = [p for d in dirs for p in sorted(d.glob("*.txt"))]
        texts = [f.read_text(encoding="utf-8") for f in files]
        sources = [str(f.resolve()) for f in files]
        for peer, factory in (("bm25s", _translit_bm25s_all), ("tantivy", _translit_tantivy_all)):
            search = factory(texts)
            for form, qs in forms.items():
                rec, prec = [], []
                for e, q in qs:
                    found = {sources[i] for i in search(q)}
                    hit_n = len(found & truth[e])
                    rec.append(hit_n / len(truth[e]))
                    prec.append(hit_n / len(found) if found else 0.0)
                totals[f"{peer} {form}"].append((sum(rec) / len(rec), sum(prec) / len(prec)))
    for form, vals in totals.items():
        r = sum(v[0] for v in vals) / len(vals)
        p = sum(v[1] for v in vals) / len(vals)
        print(row(f"ALL {form}" if " " not in form else f"ALL {form} (anyascii)", [r, p]))


def _translit_tokens(text: str) -> list[str]:
    from anyascii import anyascii

    return [w for w in "".join(c if c.isalnum() else " " for c in anyascii(text).lower()).split() if w]


def _translit_bm25s_all(texts: list[str]) -> Callable[[str], list[int]]:
    """bm25s over anyascii-transliterated texts; every document holding all the query's words (the peer's
    answer to "every article that mentions X")."""
    import bm25s

    docs = [_translit_tokens(t) for t in texts]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([" ".join(d) for d in docs], show_progress=False), show_progress=False)
    sets = [set(d) for d in docs]

    def search(q: str) -> list[int]:
        words = _translit_tokens(q)
        if not words:
            return []
        toks = bm25s.tokenize([" ".join(words)], show_progress=False)
        try:
            res, scores = retriever.retrieve(toks, k=len(texts), show_progress=False)
        except Exception:
            return []
        wanted = set(words)
        return [int(i) for i, sc in zip(res[0], scores[0], strict=True) if sc > 0 and wanted <= sets[int(i)]]

    return search


def _translit_tantivy_all(texts: list[str]) -> Callable[[str], list[int]]:
    """tantivy over anyascii-transliterated texts; every document matching all the query's words."""
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("body", stored=False)
    sb.add_integer_field("i", stored=True)
    schema = sb.build()
    index = tantivy.Index(schema)
    writer = index.writer()
    for i, text in enumerate(texts):
        writer.add_document(tantivy.Document(body=" ".join(_translit_tokens(text)), i=i))
    writer.commit()
    index.reload()
    searcher = index.searcher()

    def search(q: str) -> list[int]:
        words = _translit_tokens(q)
        if not words:
            return []
        try:
            query = index.parse_query(" AND ".join(words), ["body"])
            hits = searcher.search(query, len(texts)).hits
        except Exception:
            return []
        return [int(searcher.doc(addr)["i"][0]) for _, addr in hits]

    return search


# ------------------------------------------------------------------------------------------ PolNeAR


def bench_quotes() -> None:
    """Quote-with-speaker P/R/F1 on PolNeAR dev, by the shared scorer (it runs `bot quotes`)."""
    print("\nPolNeAR dev quotes (../shared/eval/score_quotes.py)")
    r = subprocess.run(
        [sys.executable, str(EVAL / "score_quotes.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    print("\n".join(lines[-3:]) or r.stderr[-500:])


def main() -> int:
    """Run the chosen benchmarks and print their tables."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a quarter of XQuAD questions, two SlavicNER topics")
    ap.add_argument("--only", choices=["xquad", "names", "quotes"], action="append")
    a = ap.parse_args()
    only = set(a.only or ["xquad", "names", "quotes"])
    if "xquad" in only:
        asyncio.run(bench_xquad(a.quick))
    if "names" in only:
        asyncio.run(bench_names(a.quick))
    if "quotes" in only:
        bench_quotes()
    return 0


if __name__ == "__main__":
    sys.exit(main())
