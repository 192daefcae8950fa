"""Story clustering quality on SlavicNER topics (../shared/eval/slavicner/raw/<topic>/{ru,bg}).

Every article of every topic is clustered in one stream (shuffled with a fixed seed, all at the same
time, so the time window never helps). Articles of one topic should fall into few stories and articles
of different topics never into the same one. Prints purity (how pure each story is), inverse purity
(how whole each topic is), the number of stories, and how many stories mix topics.

    python bench/stories.py [--threshold 0.12] [--seed 1] [--langs ru,bg]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from news.articles import ArticleDraft, prepare_article  # noqa: E402
from news.stories import StoryIndex, extract_features  # noqa: E402

DATA = ROOT.parent / "shared" / "eval" / "slavicner" / "raw"


def load(langs: list[str]) -> list[tuple[str, str, str, str]]:
    """(topic, lang, title, text) of every readable article."""
    out = []
    for topic_dir in sorted(p for p in DATA.iterdir() if p.is_dir()):
        for lang in langs:
            folder = topic_dir / lang
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.txt")):
                try:
                    prepared = prepare_article(
                        ArticleDraft(body=path.read_text(encoding="utf-8"), source=str(path))
                    )
                except (ValueError, UnicodeDecodeError):
                    continue
                out.append((topic_dir.name, lang, prepared.title, prepared.clean_text))
    return out


def purity(clusters: dict[int, list[str]]) -> tuple[float, float]:
    """(purity, inverse purity) of clusters given as story → topics of its articles."""
    n = sum(len(v) for v in clusters.values())
    pur = sum(Counter(v).most_common(1)[0][1] for v in clusters.values()) / n
    by_topic: dict[str, Counter[int]] = defaultdict(Counter)
    for story, topics in clusters.items():
        for t in topics:
            by_topic[t][story] += 1
    inv = sum(c.most_common(1)[0][1] for c in by_topic.values()) / n
    return pur, inv


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--langs", default="ru,bg")
    args = ap.parse_args(argv)
    if not DATA.is_dir():
        print(f"SlavicNER not found at {DATA}")
        return 1
    started = time.perf_counter()
    articles = load(args.langs.split(","))
    random.Random(args.seed).shuffle(articles)
    loaded = time.perf_counter()
    index = StoryIndex() if args.threshold is None else StoryIndex(threshold=args.threshold)
    when = datetime(2024, 11, 1, tzinfo=UTC)
    clusters: dict[int, list[str]] = defaultdict(list)
    langs_of: dict[int, set[str]] = defaultdict(set)
    for topic, lang, title, text in articles:
        features = extract_features(title, text, lang)
        key, _ = index.best(features, when)
        key = index.add(features, when, key)
        clusters[key].append(topic)
        langs_of[key].add(lang)
    done = time.perf_counter()
    pur, inv = purity(clusters)
    mixed = [k for k, v in clusters.items() if len(set(v)) > 1]
    in_mixed = sum(len(clusters[k]) - Counter(clusters[k]).most_common(1)[0][1] for k in mixed)
    topics = Counter(t for t, *_ in articles)
    print(f"articles             {len(articles)} in {len(topics)} topics ({', '.join(sorted(topics))})")
    print(f"threshold            {index.threshold}")
    print(f"stories              {len(clusters)} ({sum(1 for v in clusters.values() if len(v) > 1)} with 2+)")
    print(f"cross-lingual        {sum(1 for v in langs_of.values() if len(v) > 1)} stories with ru and bg")
    print(f"purity               {pur:.3f}")
    print(f"inverse purity       {inv:.3f}")
    print(f"mixed-topic stories  {len(mixed)} ({in_mixed} articles outside their story's main topic)")
    for topic in sorted(topics):
        sizes = sorted(
            (sum(1 for t in v if t == topic) for v in clusters.values() if topic in v), reverse=True
        )
        print(f"  {topic:22s} {topics[topic]:4d} articles in {len(sizes):4d} stories, largest {sizes[:5]}")
    print(f"time                 load {loaded - started:.1f} s, cluster {done - loaded:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
