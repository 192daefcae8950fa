"""`reindex`: rebuild the answer engine's indexes (names, quotes, full text) from stored articles."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from bot.services import open_services
from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `reindex` command."""
    p = sub.add_parser(
        "reindex",
        help="rebuild the search, name and quote indexes",
        description="Drop and rebuild the answer engine's indexes from the stored articles, e.g. after an "
        "upgrade of the name or quote rules. Admin aliases are kept.",
    )
    p.set_defaults(run=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Rebuild every index, with a progress bar."""
    async with open_services(settings) as services:
        total = await services.articles.count()
        with tqdm(total=total, unit="article", desc="reindex", disable=None, file=sys.stderr) as bar:
            done = await services.engine.reindex(on_progress=bar.update)
    print(f"reindexed {done} articles")
    return 0
