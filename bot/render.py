"""Pure rendering for Telegram: HTML escaping, answer cards, keyboards, splitting, signed callback data.

Nothing here does I/O. Telegram's HTML mode understands only a few tags and the entities &lt; &gt; &amp;
&quot; (and numeric ones); message length is counted in UTF-16 code units. Every function that puts a
string into markup escapes it here, so handlers never build HTML themselves.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Html, esc, t
from news.answer_model import Answer, AnswerItem, ArticleRef

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
QUESTION_ECHO_CHARS = 200
QUOTE_CHARS = 700
ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "span",
        "tg-emoji",
    }
)


# -- escaping and measuring -------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts it."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def shorten(text: str, limit: int) -> str:
    """Plain text cut to at most `limit` characters at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—–-") + "…"


def safe_url(url: str | None) -> str | None:
    """The URL when it is an http(s) link fit for an href, else None."""
    if not url:
        return None
    url = url.strip()
    if not re.match(r"^https?://[^\s<>\"]+$", url, re.IGNORECASE):
        return None
    return url


# -- answers ------------------------------------------------------------------------------------------------


def article_line(article: ArticleRef, lang: str) -> str:
    """The article's title as a link (when it has a URL), its language and date."""
    title = esc(shorten(article.title or t(lang, "untitled"), 200))
    url = safe_url(article.url)
    linked = f'<a href="{esc(url)}">{title}</a>' if url else title
    meta = [article.lang]
    if article.published:
        meta.append(article.published[:10])
    return linked + "".join(f" · {esc(m)}" for m in meta)


def answer_card(item: AnswerItem, lang: str, *, quote_chars: int = QUOTE_CHARS, max_sources: int = 20) -> str:
    """One answer: the speaker in bold, the quote, the article (and every other article that reports it)."""
    lines: list[str] = []
    if item.speaker:
        lines.append(f"<b>{esc(item.speaker)}</b>")
    quote = esc(shorten(item.text, quote_chars))
    lines.append(f"«{quote}»" if item.kind in ("quote", "statement") else quote)
    lines.append("— " + article_line(item.article, lang))
    if item.also_in:
        shown = item.also_in[:max_sources]
        lines.append(t(lang, "also_in"))
        lines.extend("— " + article_line(ref, lang) for ref in shown)
        if len(item.also_in) > len(shown):
            lines.append(t(lang, "and_more", n=len(item.also_in) - len(shown)))
    return "\n".join(lines)


def answer_header(answer: Answer, lang: str, start: int, end: int) -> str:
    """The line above the cards: what was asked, who was understood, which answers these are."""
    question = shorten(answer.question, QUESTION_ECHO_CHARS)
    total = len(answer.answers)
    if answer.note == "no_quotes" and answer.speaker is not None:
        head: str = t(lang, "answer_no_quotes", name=answer.speaker.name)
    elif answer.speaker is not None:
        head = t(lang, "answer_speaker", name=answer.speaker.name)
    else:
        head = t(lang, "answer_for", question=question)
    if total > end - start or start > 0:
        head += "\n" + t(lang, "answer_range", start=start + 1, end=end, total=total)
    return head


def no_answer_text(answer: Answer, lang: str) -> str:
    """The reply when there is nothing to show, saying why."""
    if answer.note == "empty_question":
        return t(lang, "ask_empty")
    if answer.note == "too_long":
        return t(lang, "ask_engine_too_long")
    if answer.speaker is not None:
        return t(lang, "answer_nothing_person", name=answer.speaker.name)
    return t(lang, "answer_nothing", question=shorten(answer.question, QUESTION_ECHO_CHARS))


@dataclass(frozen=True, slots=True)
class Page:
    """One page of an answer: its HTML and buttons."""

    text: str
    keyboard: InlineKeyboardMarkup | None
    page: int
    pages: int


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` answers take (at least one)."""
    return max(1, -(-total // per_page))


def answer_page(
    answer: Answer,
    lang: str,
    *,
    page: int = 0,
    per_page: int = 3,
    paging: PagingButtons | None = None,
    limit: int = MESSAGE_LIMIT,
) -> Page:
    """One page of the answer as a single message that fits `limit`; ◀ ▶ buttons when there are more pages."""
    if not answer.answers:
        return Page(no_answer_text(answer, lang), None, 0, 1)
    pages = page_count(len(answer.answers), per_page)
    page = min(max(page, 0), pages - 1)
    start = page * per_page
    items = answer.answers[start : start + per_page]
    header = answer_header(answer, lang, start, start + len(items))
    text = ""
    for quote_chars, max_sources in ((QUOTE_CHARS, 20), (350, 8), (160, 3), (80, 1)):
        cards = [answer_card(item, lang, quote_chars=quote_chars, max_sources=max_sources) for item in items]
        text = header + "\n\n" + "\n\n".join(cards)
        if utf16_len(text) <= limit:
            break
    else:
        text = split_html(text, limit)[0]
    keyboard = paging.keyboard(page, pages) if paging is not None and pages > 1 else None
    return Page(text, keyboard, page, pages)


# -- keyboards and callback data ----------------------------------------------------------------------------


class CallbackError(ValueError):
    """Callback data that must not be acted on; `reason` is 'malformed', 'version' or 'forged'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CallbackData:
    """A decoded, verified button press: an action and its arguments."""

    action: str
    args: tuple[str, ...]

    def int_arg(self, index: int) -> int:
        """Argument `index` as an int (CallbackError 'malformed' when it is not one)."""
        try:
            return int(self.args[index])
        except (IndexError, ValueError):
            raise CallbackError("malformed") from None


_ARG = re.compile(r"^[A-Za-z0-9_.:-]{0,24}$")


class CallbackCodec:
    """Short, versioned, signed callback data bound to one chat: `1|action|args...|mac`.

    The MAC (HMAC-SHA256, 9 bytes) covers the version, the action, the arguments and the chat id, so a
    button copied to another chat, forged, or from an older format is refused.
    """

    VERSION = "1"

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("callback key too short")
        self._key = key

    @classmethod
    def from_token(cls, token: str) -> CallbackCodec:
        """A codec whose key is derived from the bot token (never the token itself)."""
        return cls(hmac.new(token.encode(), b"newsbot/callback-data/v1", hashlib.sha256).digest())

    def _mac(self, chat_id: int, payload: str) -> str:
        digest = hmac.new(self._key, f"{chat_id}|{payload}".encode(), hashlib.sha256).digest()[:9]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def encode(self, chat_id: int, action: str, *args: object) -> str:
        """Callback data for a button shown in `chat_id`."""
        parts = [str(a) for a in args]
        if not _ARG.match(action) or not all(_ARG.match(p) for p in parts):
            raise ValueError("callback arguments must be short plain tokens")
        payload = "|".join([self.VERSION, action, *parts])
        data = f"{payload}|{self._mac(chat_id, payload)}"
        if len(data.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError("callback data longer than 64 bytes")
        return data

    def decode(self, chat_id: int, data: str | None) -> CallbackData:
        """The verified press, or CallbackError."""
        if not data or len(data.encode()) > CALLBACK_DATA_LIMIT or "|" not in data:
            raise CallbackError("malformed")
        parts = data.split("|")
        if parts[0] != self.VERSION:
            raise CallbackError("version")
        if len(parts) < 3:
            raise CallbackError("malformed")
        payload, mac = "|".join(parts[:-1]), parts[-1]
        if not hmac.compare_digest(mac, self._mac(chat_id, payload)):
            raise CallbackError("forged")
        return CallbackData(parts[1], tuple(parts[2:-1]))


@dataclass(frozen=True, slots=True)
class PagingButtons:
    """Builds ◀ n/m ▶ rows for one asked question in one chat."""

    codec: CallbackCodec
    chat_id: int
    question_id: int

    def keyboard(self, page: int, pages: int) -> InlineKeyboardMarkup:
        """The paging row for `page` (0-based) of `pages`."""
        row: list[InlineKeyboardButton] = []
        if page > 0:
            row.append(button("◀", self.codec.encode(self.chat_id, "p", self.question_id, page - 1)))
        row.append(button(f"{page + 1}/{pages}", self.codec.encode(self.chat_id, "n")))
        if page < pages - 1:
            row.append(button("▶", self.codec.encode(self.chat_id, "p", self.question_id, page + 1)))
        return InlineKeyboardMarkup([row])


def button(label: str, data: str) -> InlineKeyboardButton:
    """An inline button with callback data (label shortened to what Telegram shows well)."""
    return InlineKeyboardButton(shorten(label, 60), callback_data=data)


def column(buttons: Sequence[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    """Buttons one per row."""
    return InlineKeyboardMarkup([[b] for b in buttons])


# -- splitting ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"<[^<>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);|[^<&]+|[<&]")
_TAG_NAME = re.compile(r"^</?\s*([a-zA-Z][a-zA-Z0-9-]*)")
_PIECE = re.compile(r"\n\n+|\n|[.!?…]+[\"'»”“)\]]*\s+|\s+|[^\s.!?…]+|[.!?…]+")
_MAX_ATOM = 200  # characters; longer runs without spaces are cut


@dataclass(slots=True)
class _Atom:
    text: str
    kind: str  # "open" | "close" | "text"
    name: str = ""
    rank: int = 0  # how good a split point is right after this atom


def _atoms(html: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for match in _TOKEN.finditer(html):
        token = match.group(0)
        if token.startswith("<") and token.endswith(">") and len(token) > 2:
            name_match = _TAG_NAME.match(token)
            name = name_match.group(1).lower() if name_match else ""
            kind = "close" if token.startswith("</") else "open"
            atoms.append(_Atom(token, kind, name, 1 if kind == "close" else 0))
        elif token.startswith("&") and token.endswith(";"):
            atoms.append(_Atom(token, "text"))
        else:
            for piece in _PIECE.findall(token):
                if piece.startswith("\n\n"):
                    rank = 5
                elif piece.startswith("\n"):
                    rank = 4
                elif piece[0] in ".!?…":
                    rank = 3
                elif piece.isspace():
                    rank = 2
                else:
                    rank = 0
                while len(piece) > _MAX_ATOM:
                    atoms.append(_Atom(piece[:_MAX_ATOM], "text"))
                    piece = piece[_MAX_ATOM:]
                atoms.append(_Atom(piece, "text", rank=rank))
    return atoms


def _closing(stack: Sequence[_Atom]) -> str:
    return "".join(f"</{a.name}>" for a in reversed(stack))


def split_html(html: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split Telegram HTML into parts of at most `limit` UTF-16 units each (markup included).

    Splits prefer paragraph breaks, then line breaks, then sentence ends, then spaces, and never cut a
    tag or an entity; tags open at a split are closed at the end of the part and reopened in the next.
    """
    html = html.strip()
    if utf16_len(html) <= limit:
        return [html] if html else []
    atoms = _atoms(html)
    parts: list[str] = []
    stack: list[_Atom] = []  # open tags at the start of the current part
    i = 0
    while i < len(atoms):
        prefix = "".join(a.text for a in stack)
        size = utf16_len(prefix)
        cur_stack = list(stack)
        candidates: list[tuple[int, int, int, list[_Atom]]] = []  # (rank, end index, size, stack after)
        seen_text = False
        j = i
        while j < len(atoms):
            atom = atoms[j]
            size += utf16_len(atom.text)
            if atom.kind == "open":
                cur_stack.append(atom)
            elif atom.kind == "close":
                for k in range(len(cur_stack) - 1, -1, -1):
                    if cur_stack[k].name == atom.name:
                        del cur_stack[k]
                        break
            if size + utf16_len(_closing(cur_stack)) > limit:
                break
            j += 1
            seen_text = seen_text or (atom.kind == "text" and not atom.text.isspace())
            if seen_text:
                candidates.append((atom.rank, j, size, list(cur_stack)))
        if j >= len(atoms):
            best: tuple[int, int, list[_Atom]] | None = (99, j, cur_stack)
        elif candidates:
            roomy = [c for c in candidates if c[2] >= limit // 3] or candidates
            rank, end_index, _size, end_stack_ = max(roomy, key=lambda c: (c[0], c[1]))
            best = (rank, end_index, end_stack_)
        else:
            best = None
        if best is None:  # nothing fits after the reopened tags: drop them rather than loop
            if stack:
                stack = []
                continue
            best = (0, i + 1, [])
        _, end, end_stack = best
        body = "".join(a.text for a in atoms[i:end]).strip()  # whitespace only: tags end with ">"
        part = (prefix + body + _closing(end_stack)).strip()
        if part and _visible(part):
            parts.append(part)
        stack = end_stack
        i = end
    return parts


def _visible(part: str) -> bool:
    return bool(re.sub(r"<[^>]*>", "", part).strip())


# -- validation (used by tests and the console) -------------------------------------------------------------

_ENTITY_OK = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


def telegram_html_errors(html: str) -> list[str]:
    """Problems Telegram's HTML parser would refuse: unknown tags, bad nesting, bare < > &, bad entities."""
    problems: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in re.finditer(r"<[^<>]*>|&[^;\s<>&]*;?|[<>]", html):
        token = match.group(0)
        pos = match.start()
        if token.startswith("&"):
            if not _ENTITY_OK.fullmatch(token):
                problems.append(f"bad entity {token!r} at {pos}")
        elif token in ("<", ">"):
            problems.append(f"bare {token!r} at {pos}")
        else:
            name_match = _TAG_NAME.match(token)
            if not name_match:
                problems.append(f"malformed tag {token!r} at {pos}")
                continue
            name = name_match.group(1).lower()
            if name not in ALLOWED_TAGS:
                problems.append(f"tag {name!r} not allowed at {pos}")
            elif token.startswith("</"):
                if not stack or stack[-1] != name:
                    problems.append(f"closing {name!r} does not match {stack[-1:]!r} at {pos}")
                else:
                    stack.pop()
            else:
                if name == "a" and not re.fullmatch(r'<a href="[^"<>]*">', token):
                    problems.append(f"bad link tag {token!r} at {pos}")
                stack.append(name)
    if stack:
        problems.append(f"unclosed tags {stack!r}")
    return problems


def html_to_terminal(html: str, *, ansi: bool = False) -> str:
    """Telegram HTML as readable terminal text: bold, links as `title [url]`, quotes with a bar."""
    bold_on, bold_off = ("\x1b[1m", "\x1b[0m") if ansi else ("*", "*")
    out = html
    out = re.sub(r'<a href="([^"]*)">(.*?)</a>', lambda m: f"{m.group(2)} [{m.group(1)}]", out, flags=re.S)
    out = re.sub(r"</?(b|strong)>", lambda m: bold_off if m.group(0).startswith("</") else bold_on, out)
    out = re.sub(r"</?(i|em)>", "_", out)
    out = re.sub(
        r"<blockquote[^>]*>(.*?)</blockquote>",
        lambda m: "\n".join("│ " + line for line in m.group(1).split("\n")),
        out,
        flags=re.S,
    )
    out = re.sub(r"<[^>]+>", "", out)
    return out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


__all__ = [
    "CallbackCodec",
    "CallbackData",
    "CallbackError",
    "Html",
    "Page",
    "PagingButtons",
    "answer_card",
    "answer_page",
    "esc",
    "html_to_terminal",
    "split_html",
    "telegram_html_errors",
    "utf16_len",
]
