"""The command line: `python -m bot COMMAND` (also installed as `newsbot`).

Each command lives in `bot/commands/<name>.py` with a `register(subparsers)` function that adds its
parser and sets `run` to an async function taking (args, settings) and returning an exit code.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__
from bot.logs import setup_logging
from bot.settings import SettingsError, load_settings

COMMAND_MODULES = (
    "ingest",
    "articles",
    "quotes",
    "start",
    "ask",
    "search",
    "alias",
    "reindex",  # ask..reindex: issue 3
    "run",
    "chat",  # the bot and the console chat: issue 4
    "sources",  # feeds and pages polled by the coverage watch: issue 5
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Self-hosted Telegram news assistant: ingest articles, ask who said what, run the bot.",
        epilog="Settings come from the environment and .env (see .env.example). "
        "Run 'python -m bot COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"newsbot {__version__}")
    parser.add_argument(
        "--db", type=Path, metavar="PATH", help="SQLite database file (overrides DATABASE_PATH)"
    )
    parser.add_argument(
        "--log-level", metavar="LEVEL", help="DEBUG, INFO, WARNING or ERROR (overrides LOG_LEVEL)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"bot.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, load settings and run the chosen command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    overrides: dict[str, object] = {}
    if args.db is not None:
        overrides["database_path"] = args.db
    if args.log_level:
        overrides["log_level"] = args.log_level.upper()
    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    secrets = [settings.bot_token.get_secret_value()] if settings.bot_token else []
    setup_logging(
        "WARNING" if settings.log_level == "INFO" and args.command != "run" else settings.log_level, secrets
    )
    try:
        return int(asyncio.run(args.run(args, settings)) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `... | head` closed the pipe: not an error
        return 0
