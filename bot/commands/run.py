"""`run`: the Telegram bot (long polling, or a webhook when WEBHOOK_URL is set)."""

from __future__ import annotations

import argparse
import sys

from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `run` command."""
    p = sub.add_parser(
        "run",
        help="run the Telegram bot",
        description="Run the bot with BOT_TOKEN: long polling by default, a webhook when WEBHOOK_URL is set. "
        "TELEGRAM_API_BASE_URL points it at a self-hosted Bot API server. Stop with Ctrl+C.",
    )
    p.set_defaults(run=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the bot until interrupted."""
    if settings.bot_token is None:
        print(
            "error: BOT_TOKEN is not set. Put BOT_TOKEN=<token from @BotFather> in .env, "
            "or try the bot locally with: python -m bot chat",
            file=sys.stderr,
        )
        return 2
    from bot.app import run_bot

    return await run_bot(settings)
