"""Inline mode: `@bot question` in any chat lists quotes to pick and share, paged with next_offset."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.ext import BaseHandler, InlineQueryHandler

from bot.context import BotContext
from bot.i18n import pick_lang
from bot.render import answer_card, safe_url, shorten
from news.answer_model import AnswerItem

PAGE_SIZE = 10
MAX_RESULTS = 50


def result_for(item: AnswerItem, index: int, lang: str) -> InlineQueryResultArticle:
    """One inline result: title (speaker and quote preview), description (article), the card to send."""
    preview = shorten(item.text, 80)
    title = f"{item.speaker}: {preview}" if item.speaker else preview
    meta = " · ".join(x for x in (item.article.lang, (item.article.published or "")[:10]) if x)
    return InlineQueryResultArticle(
        id=f"{item.article.id}-{index}",
        title=shorten(title, 120),
        description=shorten(f"{item.article.title} · {meta}", 200),
        input_message_content=InputTextMessageContent(answer_card(item, lang, quote_chars=1500)),
        url=safe_url(item.article.url),
    )


async def on_inline_query(update: Update, context: BotContext) -> None:
    """Answer an inline query with up to PAGE_SIZE results from `offset`."""
    query = update.inline_query
    if query is None:
        return
    text = " ".join(query.query.split())
    settings = context.runtime.settings
    if not text or len(text) > settings.question_max_chars:
        await query.answer([], cache_time=5)
        return
    if context.runtime.limiter.check(query.from_user.id):
        await query.answer([], cache_time=0, is_personal=True)
        return
    try:
        offset = max(0, int(query.offset or 0))
    except ValueError:
        offset = 0
    lang = pick_lang(None, query.from_user.language_code)
    answer = await context.engine.ask(text, limit=MAX_RESULTS)
    items = answer.answers[offset : offset + PAGE_SIZE]
    results = [result_for(item, offset + i, lang) for i, item in enumerate(items)]
    more = offset + PAGE_SIZE < len(answer.answers)
    await query.answer(results, cache_time=30, next_offset=str(offset + PAGE_SIZE) if more else None)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers."""
    return [InlineQueryHandler(on_inline_query)]
