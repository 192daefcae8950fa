"""Sentence and passage splitting with character offsets.

Rules rather than a model: a sentence ends at . ! ? … (optionally followed by closing quotes or
brackets) before whitespace and an upper-case letter, a digit, an opening quote or a dash; known
abbreviations and initials ("В. Путин", "т.е.", "Mr.") do not end a sentence. Paragraph breaks
always do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = frozenset(
    """
    г гг т е тыс млн млрд руб ул им др пр см стр рис ст чл п пп ок ср напр т.е т.к т.н т.д т.п св
    ген полк кап лейт акад проф доц д-р гр с ж бел мр mr mrs ms dr prof gen col lt sgt st jr sr inc
    ltd co corp vs etc no jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k e.g i.e
    """.split()
)
_BOUNDARY = re.compile(r"[.!?…]+[\"»“”’)\]]*(?=\s+[\"«„“‘(\[—–-]?\s*[A-ZА-ЯЁЍ0-9])")
_PARAGRAPH = re.compile(r"\n\s*")


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of a text: text == source[start:end]."""

    start: int
    end: int
    text: str


def _ends_with_abbreviation(chunk: str) -> bool:
    match = re.search(r"(\S+)\.$", chunk)
    if not match:
        return False
    token = match.group(1).lstrip('(«"„“').lower()
    if len(token) == 1 and token.isalpha():  # an initial: "В. Путин", "J. Smith"
        return True
    return token in _ABBREVIATIONS


def split_sentences(text: str) -> list[Span]:
    """Sentences of `text` with offsets; whitespace between sentences is not part of any."""
    spans: list[Span] = []
    for para in _paragraphs(text):
        start = para.start
        for match in _BOUNDARY.finditer(text, para.start, para.end):
            end = match.end()
            if _ends_with_abbreviation(text[start:end]):
                continue
            _append_trimmed(spans, text, start, end)
            start = end
        _append_trimmed(spans, text, start, para.end)
    return spans


def _paragraphs(text: str) -> list[Span]:
    out: list[Span] = []
    start = 0
    for match in _PARAGRAPH.finditer(text):
        _append_trimmed(out, text, start, match.start())
        start = match.end()
    _append_trimmed(out, text, start, len(text))
    return out


def _append_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start, end, text[start:end]))


def split_passages(text: str, *, max_chars: int = 700) -> list[Span]:
    """Group sentences into passages of at most `max_chars` (a longer sentence stands alone),
    never crossing a paragraph break."""
    passages: list[Span] = []
    for para in _paragraphs(text):
        sentences = split_sentences(para.text)
        if not sentences:
            continue
        cur_start = sentences[0].start
        cur_end = sentences[0].end
        for sent in sentences[1:]:
            if sent.end - cur_start > max_chars:
                _append_trimmed(passages, text, para.start + cur_start, para.start + cur_end)
                cur_start = sent.start
            cur_end = sent.end
        _append_trimmed(passages, text, para.start + cur_start, para.start + cur_end)
    return passages
