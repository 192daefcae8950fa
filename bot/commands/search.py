"""`search [--json] [--limit K] [--batch] "text"`: articles that mention a name or words, best first."""

from __future__ import annotations

import argparse
import json
import sys

from bot.services import open_services
from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `search` command."""
    p = sub.add_parser(
        "search",
        help="find articles that mention a name or words",
        description="List stored articles that mention the text: a name in any script, case form or common "
        "misspelling (Lavrov, Лавровым, Lavorv), or words. Exit code 0 when something was found.",
    )
    p.add_argument("text", nargs="?", default=None, help="what to look for (omit with --batch)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--limit", type=int, default=10, metavar="K", help="at most K articles; 0 = all (default 10)"
    )
    p.add_argument(
        "--batch", action="store_true", help="read one query per line from stdin; print JSON lines"
    )
    p.set_defaults(run=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Search once, or for each line of stdin with --batch."""
    if not args.batch and args.text is None:
        print("error: give a text to search for, or --batch to read queries from stdin", file=sys.stderr)
        return 2
    limit = None if args.limit <= 0 else args.limit
    found = False
    async with open_services(settings) as services:
        queries = (line.rstrip("\n") for line in sys.stdin) if args.batch else iter([args.text])
        for query in queries:
            hits = await services.engine.search_articles(query, limit=limit)
            found = found or bool(hits)
            if args.json or args.batch:
                payload = {"query": query, "articles": [h.to_json() for h in hits]}
                print(json.dumps(payload, ensure_ascii=False), flush=args.batch)
                continue
            if not hits:
                print(f"Nothing found for {query!r}.")
            for n, hit in enumerate(hits, 1):
                art = hit.article
                matched = f" [{', '.join(hit.matched[:5])}]" if hit.matched else ""
                print(f"{n}. {art.title} ({art.lang}, {art.published or 'undated'}) #{art.id}{matched}")
                print(f"   {art.url or art.source}")
    return 0 if found else 1
