"""`ingest PATH...`: store articles from files and folders."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from bot.services import open_services
from bot.settings import Settings
from news.reading import iter_input_files


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `ingest` command."""
    p = sub.add_parser(
        "ingest",
        help="store articles from files and folders",
        description="Store articles from plain text (.txt), Markdown (.md), JSON lines (.jsonl) or JSON "
        "arrays (.json), in folders recursively. Duplicates (same URL or same text) are skipped. "
        "Exit code 0 when nothing was rejected, 1 otherwise.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    p.set_defaults(run=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest the paths and print a summary with every rejected file and the reason."""
    missing = [p for p in args.paths if not p.exists()]
    for path in missing:
        print(f"rejected {path}: no such file or folder; check the path", file=sys.stderr)
    paths = [p for p in args.paths if p.exists()]
    total = sum(1 for _ in iter_input_files(paths))
    async with open_services(settings) as services:
        with tqdm(total=total, unit="file", desc="ingest", disable=None, file=sys.stderr) as bar:
            report = await services.ingest.ingest_paths(paths, on_file=lambda _p: bar.update(1))
    if not args.quiet:
        for where, existing, reason in report.duplicates:
            print(f"duplicate {where}: {reason} as article {existing}")
    for rejection in report.rejected:
        print(f"rejected {rejection.where}: {rejection.reason}")
    rejected = len(report.rejected) + len(missing)
    print(
        f"{len(report.added)} added, {len(report.duplicates)} duplicates skipped, {rejected} rejected "
        f"({report.files} files) into {settings.database_path}"
    )
    return 0 if rejected == 0 else 1
