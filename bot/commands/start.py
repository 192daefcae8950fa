"""`start`: what `make run` runs. With BOT_TOKEN, the bot; without, the console chat over the samples."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.services import open_services
from bot.settings import Settings


def samples_dir() -> Path | None:
    """The bundled samples: beside the source tree (a checkout), or in the working directory (the
    Docker image installs the package into site-packages and keeps samples/ in /app)."""
    for candidate in (Path(__file__).resolve().parents[2] / "samples", Path.cwd() / "samples"):
        if candidate.is_dir():
            return candidate
    return None


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
        folder = samples_dir()
        if folder is None or await services.articles.count() > 0:
            return 0
        report = await services.ingest.ingest_paths(sorted(folder.glob("*.txt")))
        return len(report.added)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Load samples if needed, then run the bot (BOT_TOKEN set) or the console chat (not set)."""
    added = await ensure_samples(settings)
    if added:
        print(f"Loaded {added} sample articles into {settings.database_path}.")
    if settings.bot_token is not None:
        from bot.app import run_bot

        return await run_bot(settings)
    from bot.console import run_console

    print(
        "No BOT_TOKEN is set, so this is the console chat: the bot's own handlers, answering here.\n"
        "To run the Telegram bot, put BOT_TOKEN=<token from @BotFather> in .env."
    )
    return await run_console(settings)
