"""Articles as the domain sees them: a draft read from some input, and its prepared, indexable form."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime

from news.langdetect import Lang, detect_language
from news.noise import strip_noise
from news.textsplit import Span, split_passages, split_sentences
from news.urls import canonical_url

TITLE_MAX_CHARS = 160
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """An article as read from a file, a feed item or a pasted message, before any checks."""

    body: str
    source: str
    title: str | None = None
    url: str | None = None
    published: datetime | None = None
    lang: str | None = None
    guid: str | None = None
    source_id: int | None = None


@dataclass(frozen=True, slots=True)
class PreparedArticle:
    """A draft that passed the checks, with everything storage and indexing need."""

    draft: ArticleDraft
    title: str
    title_derived: bool
    clean_text: str
    lang: Lang
    canonical_url: str | None
    content_hash: str
    passages: tuple[Span, ...] = field(default_factory=tuple)

    @property
    def body(self) -> str:
        """The article text as received."""
        return self.draft.body


def content_hash(text: str) -> str:
    """A hash of the text that ignores case, spacing, quote styles and Unicode spelling variants."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    folded = re.sub(r"[\"'«»„“”‘’`]", "", folded)
    folded = _SPACES.sub(" ", folded).strip()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def derive_title(text: str) -> str:
    """A title from the first sentence, cut at a word boundary when long."""
    sentences = split_sentences(text)
    first = sentences[0].text if sentences else text.strip()
    first = _SPACES.sub(" ", first)
    if len(first) <= TITLE_MAX_CHARS:
        return first
    cut = first[:TITLE_MAX_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:—– ") + "…"


def _normalise_lang(value: str | None) -> Lang | None:
    if not value:
        return None
    code = value.strip().lower()[:2]
    if code in ("ru", "bg", "en"):
        return code  # type: ignore[return-value]
    return "other"


def prepare_article(draft: ArticleDraft) -> PreparedArticle:
    """Clean, identify and split a draft. Raises ValueError when there is no text to index."""
    body = unicodedata.normalize("NFC", draft.body.replace("\r\n", "\n").replace("\r", "\n"))
    body = body.replace("\x00", "")
    clean = strip_noise(body).strip()
    if not clean:
        raise ValueError("no article text (only blank or noise lines)")
    title = _SPACES.sub(" ", draft.title).strip() if draft.title else ""
    derived = not title
    if derived:
        title = derive_title(clean)
    lang = _normalise_lang(draft.lang) or detect_language(f"{title}\n{clean}")
    published = draft.published
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    normalised = ArticleDraft(
        body=body,
        source=draft.source,
        title=draft.title,
        url=draft.url.strip() if draft.url else None,
        published=published,
        lang=draft.lang,
        guid=draft.guid,
        source_id=draft.source_id,
    )
    return PreparedArticle(
        draft=normalised,
        title=title[:1000],
        title_derived=derived,
        clean_text=clean,
        lang=lang,
        canonical_url=canonical_url(draft.url),
        content_hash=content_hash(clean),
        passages=tuple(split_passages(clean)),
    )
