"""`start`: what `make run` runs. With BOT_TOKEN, the bot; without, the console chat over the samples."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.services import open_services
from bot.settings import Settings

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `start` command."""
    p = sub.add_parser(
        "start",
        help="run the bot (with BOT_TOKEN) or the console chat (without)",
        description="The main job, as run by `make run`: loads the bundled sample articles into an "
        "empty database, then runs the Telegram bot when BOT_TOKEN is set, or the console chat when not.",
    )
    p.set_defaults(run=run)


async def ensure_samples(settings: Settings) -> int:
    """Ingest the bundled samples when the database has no articles; returns how many were added."""
    async with open_services(settings) as services:
        if await services.articles.count() > 0 or not SAMPLES_DIR.is_dir():
            return 0
        report = await services.ingest.ingest_paths(sorted(SAMPLES_DIR.glob("*.txt")))
        return len(report.added)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Load samples if needed, then hand over to the bot or explain how to get further."""
    added = await ensure_samples(settings)
    if added:
        print(f"Loaded {added} sample articles into {settings.database_path}.")
    print(
        "No BOT_TOKEN is set. To run the Telegram bot, put BOT_TOKEN=<token from @BotFather> in .env.\n"
        "Meanwhile, use the command line:\n"
        "  python -m bot ingest PATH...      store articles\n"
        "  python -m bot articles            list them\n"
        "  python -m bot --help              every command"
    )
    return 0
