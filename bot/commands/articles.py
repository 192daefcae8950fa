"""`articles`: list what is stored."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from bot.services import open_services
from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `articles` command."""
    p = sub.add_parser(
        "articles",
        help="list stored articles",
        description="List stored articles, newest first: id, language, title, URL, passages.",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="at most N articles")
    p.set_defaults(run=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the stored articles."""
    async with open_services(settings) as services:
        rows = await services.articles.list_articles(limit=args.limit)
    if not rows:
        if not args.json:
            print(f"No articles in {settings.database_path}. Add some with: python -m bot ingest PATH")
        return 0
    for art in rows:
        if args.json:
            print(json.dumps(asdict(art), ensure_ascii=False))
        else:
            print(f"{art.id:>6}  {art.lang:<5} {art.passages:>3}p  {art.title[:80]}  {art.url or '-'}")
    return 0
