"""Admin commands, for ADMIN_IDS only; everyone else gets the unknown-command reply. All are audited."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Document, InputFile, Message, MessageOriginChannel, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.i18n import MESSAGES, Html, esc, plain, t
from bot.render import shorten
from handlers import asking
from handlers._common import command_args, is_bot_admin, reply, reply_unknown, turn
from handlers._send import deliver
from news.articles import ArticleDraft
from news.reading import parse_plain_text
from news.sources import ImportReport, SourceError, SourceInfo
from storage.chats import collect_stats

log = logging.getLogger(__name__)

MESSAGES_ONLY = filters.UpdateType.MESSAGE
_URL = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)

OPML_MAX_BYTES = 1_000_000
OPML_FILENAME = "newsbot-sources.opml"
LISTED_MAX = 30  # URLs listed per section of an import summary

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


def source_refusal(lang: str, exc: SourceError) -> Html:
    """Why a source or URL was refused, in the reader's language, with the technical detail."""
    key = f"source_error_{exc.code}"
    if key not in MESSAGES:
        key = "source_error_invalid"
    return t(lang, key, detail=shorten(str(exc), 300))


async def _ingest_draft(update: Update, context: BotContext, lang: str, draft: ArticleDraft) -> None:
    """Store through the coverage watch, so stories, subscription matches and digests follow."""
    report = await context.services.coverage.add_articles([draft], where=draft.source)
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
        try:
            draft = await context.fetch_article(text)
        except SourceError as exc:
            await reply(update, context, t(here.lang, "fetch_failed", reason=source_refusal(here.lang, exc)))
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


def _when(iso: str) -> str:
    """A stored UTC timestamp, short: 2024-11-01 12:00 UTC."""
    return iso[:16].replace("T", " ") + " UTC"


def _duration(lang: str, seconds: int) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return plain(lang, "unit_hours").format(n=seconds // 3600)
    if seconds >= 60 and seconds % 60 == 0:
        return plain(lang, "unit_minutes").format(n=seconds // 60)
    return plain(lang, "unit_seconds").format(n=seconds)


def _kind(lang: str, kind: str) -> str:
    return plain(lang, f"source_kind_{kind}") if kind in ("feed", "page") else kind


def describe_source(lang: str, src: SourceInfo) -> str:
    """One source for /sources: id, title and URL, then its polling state (HTML)."""
    title = f"{esc(shorten(src.title, 100))} — " if src.title else ""
    lines = [f"<b>{src.id}</b>. {title}{esc(shorten(src.url, 300))}"]
    polled = _when(src.last_polled_at) if src.last_polled_at else plain(lang, "source_never")
    interval = _duration(lang, src.interval_seconds)
    lines.append(
        t(
            lang,
            "source_state",
            kind=_kind(lang, src.kind),
            interval=interval,
            articles=src.articles,
            polled=polled,
        )
    )
    if src.disabled_at:
        lines.append(t(lang, "source_disabled_since", at=_when(src.disabled_at), url=shorten(src.url, 300)))
    elif src.next_poll_at:
        lines.append(t(lang, "source_next", at=_when(src.next_poll_at)))
    else:
        lines.append(t(lang, "source_due"))
    if src.failures or src.last_error:
        error = shorten(src.last_error or "—", 200)
        lines.append(t(lang, "source_failing", failures=src.failures, error=error))
    return "\n".join(lines[:1] + ["   " + line for line in lines[1:]])


@admin_only("sources")
async def on_sources(update: Update, context: BotContext) -> None:
    """`/sources`: every source with its polling state (interval, failures, last error, disabled)."""
    here = await turn(update, context)
    rows = await context.sources.list()
    if not rows:
        await reply(update, context, t(here.lang, "sources_empty"))
        return
    parts = [t(here.lang, "sources_header"), *(describe_source(here.lang, src) for src in rows)]
    await reply(update, context, "\n\n".join(parts))


@admin_only("addsource")
async def on_addsource(update: Update, context: BotContext) -> None:
    """`/addsource URL`: validated, private addresses refused, fetched once to tell a feed from a page;
    a source already there that was disabled is enabled again."""
    here = await turn(update, context)
    url = command_args(update.effective_message)
    if not url or len(url.split()) != 1:
        await reply(update, context, t(here.lang, "addsource_usage"))
        return
    before = await context.sources.find(url)
    try:
        source_id, new = await context.sources.add(url, added_by=here.user_id)
    except SourceError as exc:
        refusal = source_refusal(here.lang, exc)
        await reply(update, context, t(here.lang, "addsource_refused", url=shorten(url, 300), reason=refusal))
        return
    url = shorten(url.strip(), 300)
    if new:
        added = await context.sources.find(url)
        kind = _kind(here.lang, added.kind if added else "feed")
        await reply(update, context, t(here.lang, "addsource_ok", id=source_id, kind=kind, url=url))
    elif before is not None and before.disabled_at:
        await reply(update, context, t(here.lang, "addsource_reenabled", id=source_id, url=url))
    else:
        await reply(update, context, t(here.lang, "addsource_exists", id=source_id, url=url))


@admin_only("removesource")
async def on_removesource(update: Update, context: BotContext) -> None:
    """`/removesource ID` or `/removesource URL` (the source's articles stay)."""
    here = await turn(update, context)
    arg = command_args(update.effective_message)
    if not arg or len(arg.split()) != 1:
        await reply(update, context, t(here.lang, "removesource_usage"))
        return
    url = await context.sources.remove(int(arg) if arg.isdigit() else arg)
    if url is None:
        await reply(update, context, t(here.lang, "removesource_missing", id=shorten(arg, 300)))
    else:
        await reply(update, context, t(here.lang, "removesource_ok", url=shorten(url, 300)))


def _is_opml_file(document: Document) -> bool:
    name = (document.file_name or "").lower()
    return name.endswith((".opml", ".xml")) or (document.mime_type or "") in (
        "text/x-opml",
        "text/xml",
        "application/xml",
    )


@admin_only("opml")
async def on_opml(update: Update, context: BotContext) -> None:
    """`/opml`: the feeds as an OPML file; `/opml` in reply to an .opml/.xml file imports it."""
    here = await turn(update, context)
    message = update.effective_message
    target = message.reply_to_message if message is not None else None
    if target is not None and target.document is not None and _is_opml_file(target.document):
        await _import_opml(update, context, here.lang, target.document)
        return
    if target is not None or command_args(message):
        await reply(update, context, t(here.lang, "opml_not_document"))
        return
    document = await context.sources.export_opml()
    feeds = sum(1 for src in await context.sources.list() if src.kind == "feed")
    chat = update.effective_chat
    assert chat is not None and message is not None
    await context.bot.send_document(
        chat.id,
        InputFile(document.encode("utf-8"), filename=OPML_FILENAME),
        caption=t(here.lang, "opml_caption", count=feeds),
        message_thread_id=message.message_thread_id if message.is_topic_message else None,
    )


async def on_document(update: Update, context: BotContext) -> None:
    """An admin sends an .opml/.xml file in a private chat: import its feeds. Others: nothing happens."""
    message = update.effective_message
    user = update.effective_user
    if not is_bot_admin(update, context):
        if message is not None and message.forward_origin is not None:
            await on_forwarded(update, context)  # what a forwarded post from anyone else gets
        return
    if message is None or message.document is None or user is None:
        return
    here = await turn(update, context)
    await context.chats.audit.record(
        user.id, "opml", f"import {shorten(message.document.file_name or '', 200)}"
    )
    log.info("admin %s: opml import", user.id)
    await _import_opml(update, context, here.lang, message.document)


async def _import_opml(update: Update, context: BotContext, lang: str, document: Document) -> None:
    size = document.file_size or 0
    if size > OPML_MAX_BYTES:
        await reply(update, context, t(lang, "opml_too_big", size=size, limit=OPML_MAX_BYTES))
        return
    try:
        file = await document.get_file()
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        await reply(update, context, t(lang, "opml_download_failed", reason=shorten(str(exc), 300)))
        return
    if len(data) > OPML_MAX_BYTES:
        await reply(update, context, t(lang, "opml_too_big", size=len(data), limit=OPML_MAX_BYTES))
        return
    user = update.effective_user
    try:
        report = await context.sources.import_opml(data, added_by=user.id if user else None)
    except SourceError as exc:
        await reply(update, context, source_refusal(lang, exc))
        return
    await reply(update, context, import_summary(lang, report))


def import_summary(lang: str, report: ImportReport) -> str:
    """What an OPML import did: counts, then the added and the rejected URLs (with reasons)."""
    text: str = t(
        lang,
        "opml_import_done",
        added=len(report.added),
        existing=len(report.existing),
        rejected=len(report.rejected),
    )
    if report.added:
        lines = [esc(shorten(url, 200)) for url in report.added[:LISTED_MAX]]
        if len(report.added) > LISTED_MAX:
            lines.append(t(lang, "opml_import_more", count=len(report.added) - LISTED_MAX))
        text += "\n\n" + t(lang, "opml_import_added") + "\n" + "\n".join(lines)
    if report.rejected:
        lines = [
            f"{esc(shorten(url, 200))}: {esc(shorten(reason, 200))}"
            for url, reason in report.rejected[:LISTED_MAX]
        ]
        if len(report.rejected) > LISTED_MAX:
            lines.append(t(lang, "opml_import_more", count=len(report.rejected) - LISTED_MAX))
        text += "\n\n" + t(lang, "opml_import_rejected") + "\n" + "\n".join(lines)
    return text


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
        ("opml", on_opml),
        ("alias", on_alias),
        ("stats", on_stats),
        ("broadcast", on_broadcast),
        ("ban", on_ban),
        ("unban", on_unban),
    ]
    found: list[BaseHandler[Update, BotContext, None]] = [
        CommandHandler(name, func, filters=MESSAGES_ONLY) for name, func in commands
    ]
    opml_files = (
        filters.Document.FileExtension("opml")
        | filters.Document.FileExtension("xml")
        | filters.Document.MimeType("text/x-opml")
    )
    # before forwarded posts: a forwarded .opml file is imported, not read as an article
    found.append(MessageHandler(MESSAGES_ONLY & filters.ChatType.PRIVATE & opml_files, on_document))
    found.append(
        MessageHandler(
            MESSAGES_ONLY & filters.ChatType.PRIVATE & filters.FORWARDED & ~filters.COMMAND, on_forwarded
        )
    )
    return found
