"""`quotes FILE...`: the quotes found in files, without storing anything."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.settings import Settings
from news.reading import RejectedFile, decode_bytes


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `quotes` command."""
    p = sub.add_parser(
        "quotes",
        help="show quotes and speakers found in files",
        description="Find direct quotes and reported statements with their speakers in each file, "
        "without storing anything. Offsets are characters into the file's text.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--json", action="store_true", help="one JSON object per file and line")
    p.add_argument("--all", action="store_true", help="also list quotes with no attributable speaker")
    p.set_defaults(run=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the quotes of each file."""
    from news.quotes import extract_quotes  # imported here: the lexicons load only when needed

    status = 0
    for path in args.files:
        try:
            text = decode_bytes(path.read_bytes())
        except (OSError, RejectedFile) as exc:
            print(f"rejected {path}: {exc}", file=sys.stderr)
            status = 1
            continue
        found = [q for q in extract_quotes(text) if args.all or q.speaker is not None]
        if args.json:
            quotes = [
                {
                    "text": q.text,
                    "speaker": q.speaker,
                    "start": q.start,
                    "end": q.end,
                    "speaker_start": q.speaker_start,
                    "speaker_end": q.speaker_end,
                    "verb": q.verb,
                    "attribution": q.attribution,
                    "kind": q.kind,
                }
                for q in found
            ]
            print(json.dumps({"file": str(path), "quotes": quotes}, ensure_ascii=False))
        else:
            print(f"== {path}: {len(found)} quotes")
            for q in found:
                who = q.speaker or "(unattributed)"
                how = f" [{q.attribution}, {q.verb}]" if q.attribution else ""
                print(f"  {who}{how}: {q.text[:200]}")
    return status
