"""`ask [--json] [--limit K] [--batch] "question"`: who said what, and free questions."""

from __future__ import annotations

import argparse
import json
import sys

from bot.services import open_services
from bot.settings import Settings
from news.answer_model import Answer


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `ask` command."""
    p = sub.add_parser(
        "ask",
        help="ask who said what, or any question, over stored articles",
        description='Answer "what did X say (about Y)?", "Что сказал X?", "Какво каза X?", "X quotes", '
        "a bare name, or a free question, with quotes and passages cited by article. "
        "Exit code 0 when something was found, 1 otherwise.",
    )
    p.add_argument("question", nargs="?", default=None, help="the question (omit with --batch)")
    p.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    p.add_argument("--limit", type=int, default=10, metavar="K", help="at most K answers (default 10)")
    p.add_argument(
        "--batch", action="store_true", help="read one question per line from stdin; print JSON lines"
    )
    p.set_defaults(run=run)


def format_answer(answer: Answer) -> str:
    """The answer as readable text."""
    lines: list[str] = []
    if answer.speaker:
        aka = f" (also: {', '.join(answer.speaker.aliases[:6])})" if answer.speaker.aliases else ""
        lines.append(f"{answer.speaker.name}{aka}")
    if answer.note == "no_quotes" and answer.speaker:
        lines.append(f"No direct quotes of {answer.speaker.name}; here is where they are mentioned:")
    elif answer.note == "nothing_found" or not answer.answers:
        lines.append("Nothing found." if answer.note != "empty_question" else "Please ask a question.")
    elif answer.note == "too_long":
        lines.append("The question is too long.")
    for n, item in enumerate(answer.answers, 1):
        how = f" [{item.attribution}]" if item.attribution else ""
        who = f"{item.speaker}{how}: " if item.speaker and item.kind != "passage" else ""
        lines.append(f"{n}. {who}{item.text}")
        art = item.article
        lines.append(f"   — {art.title} ({art.lang}, {art.published or 'undated'}) {art.url or art.source}")
        for other in item.also_in:
            lines.append(f"   — also in: {other.title} ({other.lang}) {other.url or other.source}")
    return "\n".join(lines)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one question, or each line of stdin with --batch."""
    if not args.batch and args.question is None:
        print("error: give a question, or --batch to read questions from stdin", file=sys.stderr)
        return 2
    limit = max(1, args.limit) if args.limit else 100
    found = False
    async with open_services(settings) as services:
        questions = (line.rstrip("\n") for line in sys.stdin) if args.batch else iter([args.question])
        for question in questions:
            answer = await services.engine.ask(question, limit=limit)
            found = found or bool(answer.answers)
            if args.json or args.batch:
                print(json.dumps(answer.to_json(), ensure_ascii=False), flush=args.batch)
            else:
                print(format_answer(answer))
    return 0 if found else 1
