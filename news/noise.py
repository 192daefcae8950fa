"""Lines that belong to the page, not to the story: subscribe calls, related links, embedded tweets.

They stay in the stored body (the article is kept whole) but are left out of the indexed text, so
that a search for "Telegram" does not match every article that says "subscribe on Telegram".
"""

from __future__ import annotations

import re

_RELATED = re.compile(
    r"^\s*(?:още|вижте (?:още|също)|прочетете (?:още|също)|четете (?:още|също)|"
    r"читайте (?:также|тоже|еще|ещё)|"
    r"смотрите (?:также|тоже)|см\. также|подробнее|по теме|read (?:more|also)|see also|related|more|"
    r"also read|recommended)\s*[:：—–-]",
    re.IGNORECASE,
)
_SUBSCRIBE = re.compile(
    r"подпис(?:ыва|а)(?:йтесь|ться|тесь)|подпишитесь|подписаться|абонирайте|абонирай се|последвайте ни|"
    r"присоединяйтесь к нам|\bsubscribe\b|\bfollow us\b|\bsign up\b|newsletter|\bjoin (?:us|our)\b",
    re.IGNORECASE,
)
_TWEET_SIGNATURE = re.compile(
    r"^\s*[—–-]\s*.{1,80}\(@\w{1,30}\)\s*(?:[A-Z][a-z]+\.? \d{1,2}, \d{4}|\d{1,2} [A-Za-z]+ \d{4})?\s*$"
)
_TWEET_PIC = re.compile(r"pic\.twitter\.com/\w+|\bt\.co/\w+", re.IGNORECASE)
_METADATA = re.compile(
    r"^\s*(?:опубликовано|обновлено|публикувано|обновено|published|updated|posted|фото|photo|снимка)\s*:?\s*"
    r"[\d.:/\-–, T]*(?:\s*\S{0,20})?\s*$",
    re.IGNORECASE,
)
_SHORT_CALL_MAX = 160


def is_noise_line(line: str) -> bool:
    """True for a line that is page furniture rather than part of the report."""
    stripped = line.strip()
    if not stripped:
        return False
    if _RELATED.match(stripped) or _TWEET_SIGNATURE.match(stripped) or _TWEET_PIC.search(stripped):
        return True
    if _METADATA.match(stripped):
        return True
    return len(stripped) <= _SHORT_CALL_MAX and bool(_SUBSCRIBE.search(stripped))


def strip_noise(text: str) -> str:
    """The text without noise lines (other lines kept verbatim, in order)."""
    return "\n".join(line for line in text.split("\n") if not is_noise_line(line))
