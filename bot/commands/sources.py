"""`sources list|add|remove|poll|import-opml|export-opml`: the feeds and pages the coverage watch polls."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.services import open_services
from bot.settings import Settings
from news.sources import SourceError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `sources` command and its subcommands."""
    p = sub.add_parser(
        "sources",
        help="manage the feeds and pages that are polled",
        description="List, add, remove and poll sources; import or export them as OPML. Only http(s) URLs; "
        "private and loopback addresses are refused unless SOURCES_ALLOW_PRIVATE=true.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = actions.add_parser("list", help="every source with its polling state")
    ls.add_argument("--json", action="store_true", help="one JSON object per line")
    add = actions.add_parser("add", help="add a feed or page URL (fetched once to check it)")
    add.add_argument("url")
    add.add_argument("--kind", choices=("feed", "page"), help="skip detection")
    add.add_argument("--interval", type=int, metavar="SECONDS", help="poll interval (clamped to the limits)")
    add.add_argument("--no-check", action="store_true", help="do not fetch the URL now")
    rm = actions.add_parser("remove", help="remove a source by id or URL (its articles stay)")
    rm.add_argument("ref", metavar="ID|URL")
    poll = actions.add_parser("poll", help="poll sources now: the given ids, or every due source")
    poll.add_argument("ids", nargs="*", type=int, metavar="ID")
    poll.add_argument("--all", action="store_true", help="every enabled source, due or not")
    imp = actions.add_parser("import-opml", help="add every feed of an OPML file")
    imp.add_argument("file", type=Path)
    exp = actions.add_parser("export-opml", help="print the feeds as OPML (or write to --out)")
    exp.add_argument("--out", type=Path, metavar="FILE")
    p.set_defaults(run=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the chosen action."""
    async with open_services(settings) as services:
        sources = services.coverage.sources
        if args.action == "list":
            rows = await sources.list()
            if not rows and not args.json:
                print("No sources. Add one with: python -m bot sources add URL")
            for s in rows:
                if args.json:
                    print(json.dumps(_as_dict(s), ensure_ascii=False))
                    continue
                state = f"DISABLED {s.disabled_at}" if s.disabled_at else f"next {s.next_poll_at or 'now'}"
                error = f"  last error: {s.last_error}" if s.last_error else ""
                print(
                    f"{s.id:>4}  {s.kind:<4} {s.interval_seconds:>6}s  {s.articles:>5} art  {state}"
                    f"  {s.url}{error}"
                )
            return 0
        if args.action == "add":
            try:
                source_id, new = await sources.add(
                    args.url, kind=args.kind, interval=args.interval, probe=not args.no_check
                )
            except SourceError as exc:
                print(f"rejected {args.url}: {exc}", file=sys.stderr)
                return 1
            print(f"{'added' if new else 'already there (re-enabled)'}: source {source_id} {args.url}")
            return 0
        if args.action == "remove":
            removed = await sources.remove(int(args.ref) if args.ref.isdigit() else args.ref)
            if removed is None:
                print(f"no source {args.ref}", file=sys.stderr)
                return 1
            print(f"removed {removed}")
            return 0
        if args.action == "poll":
            poller = services.coverage.poller
            if args.ids:
                results = [await poller.poll_source(i) for i in args.ids]
            elif args.all:
                results = [
                    await poller.poll_row(r)
                    for r in await services.db.fetchall(
                        "SELECT * FROM sources WHERE disabled_at IS NULL ORDER BY id"
                    )
                ]
            else:
                results = await poller.poll_due()
            status = 0
            for r in results:
                print(
                    f"{r.source_id:>4} {r.status:<12} {r.items:>4} items, {len(r.added)} added,"
                    f" {r.duplicates} dup, "
                    f"{r.near_duplicates} near-dup, {len(r.rejected)} rejected  {r.url}"
                    + (f"  error: {r.error}" if r.error else "")
                )
                status |= int(r.status in ("failed", "disabled"))
            if not results:
                print("no source is due (use --all or give ids)")
            return status
        if args.action == "import-opml":
            try:
                report = await sources.import_opml(args.file.read_bytes())
            except (OSError, SourceError) as exc:
                print(f"rejected {args.file}: {exc}", file=sys.stderr)
                return 1
            for url, reason in report.rejected:
                print(f"rejected {url}: {reason}")
            print(
                f"{len(report.added)} added, {len(report.existing)} already there,"
                f" {len(report.rejected)} rejected"
            )
            return 0 if not report.rejected else 1
        if args.action == "export-opml":
            doc = await sources.export_opml()
            if args.out:
                args.out.write_text(doc, encoding="utf-8")
                print(f"wrote {args.out}")
            else:
                sys.stdout.write(doc)
            return 0
    return 2


def _as_dict(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in getattr(obj, "__slots__", ())}
