"""`chat`: talk to the bot in the terminal, through the same handlers, without Telegram."""

from __future__ import annotations

import argparse

from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `chat` command."""
    p = sub.add_parser(
        "chat",
        help="chat with the bot in the terminal (no Telegram needed)",
        description="Type questions and commands as a Telegram user would; the bot's replies are shown "
        "as text, buttons numbered (type the number to press one). You are an admin here.",
    )
    p.add_argument("--lang", choices=("en", "ru", "bg"), help="your Telegram language (default: from LANG)")
    p.set_defaults(run=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the console chat until EOF or /quit."""
    from bot.console import run_console

    return await run_console(settings, lang=args.lang)
