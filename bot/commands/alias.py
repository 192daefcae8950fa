"""`alias add|remove|list`: names an admin declares to be the same person (or place, organisation)."""

from __future__ import annotations

import argparse
import sys

from bot.services import open_services
from bot.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `alias` command with its add/remove/list subcommands."""
    p = sub.add_parser(
        "alias",
        help="add, remove or list name aliases",
        description="Tell the answer engine that two names are one person: "
        'alias add "Choe Son Hui" "Цой Сон Хи". Aliases apply at once to articles already stored.',
    )
    actions = p.add_subparsers(dest="alias_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an alias", description="Make ALIAS another name of CANONICAL.")
    add.add_argument("canonical", help="the name as it should be shown")
    add.add_argument("alias", help="another spelling or transliteration of it")
    rm = actions.add_parser(
        "remove",
        help="remove an alias",
        description="Remove ALIAS (from CANONICAL only, when both are given).",
    )
    rm.add_argument("names", nargs="+", metavar="NAME", help="ALIAS, or CANONICAL ALIAS")
    ls = actions.add_parser("list", help="list aliases", description="List aliases added by admins.")
    ls.add_argument("--all", action="store_true", help="also the aliases learnt from articles")
    p.set_defaults(run=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Carry out the alias action."""
    async with open_services(settings) as services:
        engine = services.engine
        if args.alias_action == "add":
            try:
                ref = await engine.add_alias(args.canonical, args.alias)
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(f"{ref.name}: {', '.join(ref.aliases) or '(no other names)'}")
            return 0
        if args.alias_action == "remove":
            if len(args.names) > 2:
                print("error: give ALIAS or CANONICAL ALIAS", file=sys.stderr)
                return 2
            canonical, alias = (
                (args.names[0], args.names[1]) if len(args.names) == 2 else (None, args.names[0])
            )
            removed = await engine.remove_alias(alias, canonical)
            print(f"removed {removed} alias(es)" if removed else f"no alias {alias!r} to remove")
            return 0 if removed else 1
        rows = await engine.list_aliases(include_auto=args.all)
        for canonical, alias, origin in rows:
            print(f"{canonical}\t{alias}\t{origin}")
        if not rows:
            print("no aliases")
        return 0
