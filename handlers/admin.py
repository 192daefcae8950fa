"""Admin commands, for ADMIN_IDS only; everyone else gets the unknown-command reply. All are audited."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Message, MessageOriginChannel, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.i18n import esc, t
from bot.render import shorten
from handlers import asking
from handlers._common import command_args, is_bot_admin, reply, reply_unknown, turn
from handlers._send import deliver
from news.articles import ArticleDraft
from news.reading import parse_plain_text
from storage.chats import collect_stats

log = logging.getLogger(__name__)

MESSAGES_ONLY = filters.UpdateType.MESSAGE
_URL = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def admin_only(action: str) -> Callable[[Handler], Handler]:
    """Run the handler for bot admins only (others get the unknown-command reply) and audit it."""

    def wrap(func: Handler) -> Handler:
        @functools.wraps(func)
        async def guarded(update: Update, context: BotContext) -> None:
            if not is_bot_admin(update, context):
                await reply_unknown(update, context)
                return
            user = update.effective_user
            assert user is not None
            detail = shorten(command_args(update.effective_message), 500)
            await context.chats.audit.record(user.id, action, detail)
            log.info("admin %s: %s", user.id, action)
            await func(update, context)

        return guarded

    return wrap


async def _ingest_text(update: Update, context: BotContext, lang: str, text: str, source: str) -> None:
    draft = parse_plain_text(text, source)
    await _ingest_draft(update, context, lang, draft)


async def _ingest_draft(update: Update, context: BotContext, lang: str, draft: ArticleDraft) -> None:
    report = await context.services.ingest.ingest_drafts([draft], where=draft.source)
    if report.added:
        stored = await context.services.articles.get(report.added[0])
        title = stored.summary.title if stored else ""
        await reply(update, context, t(lang, "add_ok", id=report.added[0], title=shorten(title, 200)))
    elif report.duplicates:
        _, existing, reason = report.duplicates[0]
        await reply(update, context, t(lang, "add_duplicate", id=existing, reason=reason))
    else:
        reason = report.rejected[0].reason if report.rejected else "?"
        await reply(update, context, t(lang, "add_rejected", reason=reason))


def _post_text(message: Message | None) -> str:
    if message is None:
        return ""
    return (message.text or message.caption or "").strip()


@admin_only("add")
async def on_add(update: Update, context: BotContext) -> None:
    """`/add` pasted article text, `/add URL`, or `/add` in reply to a (forwarded) post."""
    here = await turn(update, context)
    message = update.effective_message
    text = command_args(message)
    if not text and message is not None and message.reply_to_message is not None:
        text = _post_text(message.reply_to_message)
    if not text:
        await reply(update, context, t(here.lang, "add_usage"))
        return
    if _URL.match(text):
        fetch = context.fetch_article
        if fetch is None:
            await reply(update, context, t(here.lang, "fetch_unavailable"))
            return
        try:
            draft = await fetch(text)
        except Exception as exc:  # the fetcher's errors are reported, not raised
            await reply(update, context, t(here.lang, "fetch_failed", reason=shorten(str(exc), 300)))
            return
        await _ingest_draft(update, context, here.lang, draft)
        return
    await _ingest_text(update, context, here.lang, text, f"telegram:admin:{here.user_id}")


async def on_forwarded(update: Update, context: BotContext) -> None:
    """A forwarded channel post in a private chat: admins add it as an article; others ask with it."""
    message = update.effective_message
    if not is_bot_admin(update, context):
        await asking.on_private_text(update, context)
        return
    if message is None:
        return
    user = update.effective_user
    assert user is not None
    here = await turn(update, context)
    text = _post_text(message)
    origin = message.forward_origin
    source = "telegram:forward"
    if isinstance(origin, MessageOriginChannel):
        username = origin.chat.username
        source = f"https://t.me/{username}/{origin.message_id}" if username else f"telegram:{origin.chat.id}"
    await context.chats.audit.record(user.id, "add", f"forwarded post {source}")
    if not text:
        await reply(update, context, t(here.lang, "add_usage"))
        return
    draft = parse_plain_text(text, source)
    if source.startswith("https://") and draft.url is None:
        published = origin.date if origin is not None else None
        draft = ArticleDraft(
            body=draft.body, source=source, title=draft.title, url=source, published=published
        )
    await _ingest_draft(update, context, here.lang, draft)


@admin_only("sources")
async def on_sources(update: Update, context: BotContext) -> None:
    """`/sources`."""
    here = await turn(update, context)
    rows = await context.chats.sources.list()
    if not rows:
        await reply(update, context, t(here.lang, "sources_empty"))
        return
    lines: list[str] = [t(here.lang, "sources_header")]
    for src in rows:
        state = f" ({t(here.lang, 'source_disabled')})" if src.disabled else ""
        error = f" — {esc(shorten(src.last_error, 120))}" if src.last_error else ""
        lines.append(f"{src.id}. {esc(src.url)}{state}{error}")
    await reply(update, context, "\n".join(lines))


@admin_only("addsource")
async def on_addsource(update: Update, context: BotContext) -> None:
    """`/addsource URL`."""
    here = await turn(update, context)
    url = command_args(update.effective_message)
    if not _URL.match(url) or len(url) > 2000:
        await reply(update, context, t(here.lang, "addsource_usage"))
        return
    source_id, new = await context.chats.sources.add(url, here.user_id)
    await reply(
        update, context, t(here.lang, "addsource_ok" if new else "addsource_exists", id=source_id, url=url)
    )


@admin_only("removesource")
async def on_removesource(update: Update, context: BotContext) -> None:
    """`/removesource ID`."""
    here = await turn(update, context)
    arg = command_args(update.effective_message)
    if not arg.isdigit():
        await reply(update, context, t(here.lang, "removesource_usage"))
        return
    url = await context.chats.sources.remove(int(arg))
    if url is None:
        await reply(update, context, t(here.lang, "removesource_missing", id=arg))
    else:
        await reply(update, context, t(here.lang, "removesource_ok", id=arg, url=url))


@admin_only("alias")
async def on_alias(update: Update, context: BotContext) -> None:
    """`/alias add NAME = ALIAS`, `/alias remove NAME = ALIAS`, `/alias list [NAME]`."""
    here = await turn(update, context)
    words = command_args(update.effective_message).split(maxsplit=1)
    verb = words[0].lower() if words else ""
    rest = words[1].strip() if len(words) > 1 else ""
    engine = context.services.engine
    if verb == "list":
        rows = await engine.list_aliases()
        wanted = rest.casefold()
        lines = [f"{esc(name)} ← {esc(alias)}" for name, alias, _origin in rows if wanted in name.casefold()]
        await reply(update, context, "\n".join(lines) or t(here.lang, "alias_list_empty"))
        return
    name, sep, alias = (x.strip() for x in rest.partition("="))
    if verb not in ("add", "remove") or not sep or not name or not alias or max(len(name), len(alias)) > 100:
        await reply(update, context, t(here.lang, "alias_usage"))
        return
    detail = f"{name} = {alias}"
    try:
        if verb == "add":
            ref = await engine.add_alias(name, alias)
            detail = f"{ref.name} ← {alias}"
            done = True
        else:
            done = await engine.remove_alias(alias, name) > 0
    except ValueError as exc:
        await reply(update, context, t(here.lang, "alias_failed", detail=shorten(str(exc), 300)))
        return
    await reply(update, context, t(here.lang, "alias_done" if done else "alias_failed", detail=detail))


@admin_only("stats")
async def on_stats(update: Update, context: BotContext) -> None:
    """`/stats`."""
    here = await turn(update, context)
    stats = await collect_stats(context.services.db)
    na = t(here.lang, "not_available")
    text: str = t(
        here.lang,
        "stats",
        articles=stats.articles,
        quotes=na if stats.quotes is None else stats.quotes,
        people=na if stats.people is None else stats.people,
        chats=stats.chats,
        active=stats.active_chats,
        subscriptions=stats.subscriptions,
        deliveries=na if stats.deliveries is None else stats.deliveries,
    )
    text += "\n" + t(
        here.lang,
        "stats_sources",
        sources=stats.sources,
        disabled=len(stats.disabled_sources),
        pending=na if stats.pending_deliveries is None else stats.pending_deliveries,
    )
    if stats.disabled_sources:
        text += "\n\n" + t(here.lang, "stats_disabled")
        for url, error in stats.disabled_sources:
            text += f"\n{esc(shorten(url, 120))}: {esc(shorten(error, 160))}"
    if stats.last_errors:
        text += "\n\n" + t(here.lang, "stats_errors")
        for at, kind, message in stats.last_errors:
            text += f"\n{esc(at[:16])} {esc(kind)}: {esc(shorten(message, 200))}"
    await reply(update, context, text)


@admin_only("broadcast")
async def on_broadcast(update: Update, context: BotContext) -> None:
    """`/broadcast text`: the text (escaped) to every active chat, through the delivery path."""
    here = await turn(update, context)
    text = command_args(update.effective_message)
    if not text:
        await reply(update, context, t(here.lang, "broadcast_usage"))
        return
    chat_ids = await context.chats.chats.active_ids()
    for chat_id in chat_ids:
        if not await deliver(context, chat_id, esc(text)):
            await context.chats.chats.set_active(chat_id, False)
    await reply(update, context, t(here.lang, "broadcast_done", count=len(chat_ids)))


async def _ban(update: Update, context: BotContext, banned: bool) -> None:
    here = await turn(update, context)
    message = update.effective_message
    arg = command_args(message)
    target: int | None = int(arg) if re.fullmatch(r"-?\d{1,20}", arg) else None
    if target is None and message is not None and message.reply_to_message is not None:
        sender = message.reply_to_message.from_user
        target = sender.id if sender else None
    if target is None:
        await reply(update, context, t(here.lang, "ban_usage"))
        return
    await context.chats.users.set_banned(target, banned)
    await reply(update, context, t(here.lang, "banned" if banned else "unbanned", id=target))


@admin_only("ban")
async def on_ban(update: Update, context: BotContext) -> None:
    """`/ban USER_ID` (or in reply to the user's message)."""
    await _ban(update, context, True)


@admin_only("unban")
async def on_unban(update: Update, context: BotContext) -> None:
    """`/unban USER_ID`."""
    await _ban(update, context, False)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers."""
    commands: list[tuple[str, Handler]] = [
        ("add", on_add),
        ("sources", on_sources),
        ("addsource", on_addsource),
        ("removesource", on_removesource),
        ("alias", on_alias),
        ("stats", on_stats),
        ("broadcast", on_broadcast),
        ("ban", on_ban),
        ("unban", on_unban),
    ]
    found: list[BaseHandler[Update, BotContext, None]] = [
        CommandHandler(name, func, filters=MESSAGES_ONLY) for name, func in commands
    ]
    found.append(
        MessageHandler(
            MESSAGES_ONLY & filters.ChatType.PRIVATE & filters.FORWARDED & ~filters.COMMAND, on_forwarded
        )
    )
    return found
