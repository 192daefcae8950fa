"""Subscriptions and delivery settings: /subscribe, /unsubscribe, /subscriptions, /digest, /timezone."""

from __future__ import annotations

import re
import zoneinfo

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import BotContext
from bot.i18n import esc, plain, t
from bot.render import CallbackData, button, column, shorten
from handlers._common import Turn, command_args, may_change_chat, refuse_unless_may_change, reply, turn
from storage.chats import Chat, DigestMode, Subscription

MESSAGES_ONLY = filters.UpdateType.MESSAGE
MAX_SUBSCRIPTIONS = 50
MAX_QUERY_CHARS = 100
SURE_SCORE = 90.0  # a match this good, clearly ahead of the next, is taken without asking
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_subscription(text: str) -> tuple[str, str]:
    """Split `/subscribe` text into the query and space-separated excluded words (`-word` or `!word`)."""
    include: list[str] = []
    exclude: list[str] = []
    for word in text.split():
        if len(word) > 1 and word[0] in "-!":
            exclude.append(word[1:])
        else:
            include.append(word)
    return " ".join(include), " ".join(exclude)


async def on_subscribe(update: Update, context: BotContext) -> None:
    """`/subscribe X`: a known person (fuzzy; "did you mean" when unsure) or a keyword."""
    here = await turn(update, context)
    if await refuse_unless_may_change(update, context, here.lang):
        return
    query, excludes = parse_subscription(command_args(update.effective_message))
    if not query:
        await reply(update, context, t(here.lang, "subscribe_usage"))
        return
    if len(query) + len(excludes) > MAX_QUERY_CHARS:
        await reply(update, context, t(here.lang, "subscribe_too_long", limit=MAX_QUERY_CHARS))
        return
    if len(await context.chats.subscriptions.list_for_chat(here.chat_id)) >= MAX_SUBSCRIPTIONS:
        await reply(update, context, t(here.lang, "too_many_subscriptions", limit=MAX_SUBSCRIPTIONS))
        return
    matches = await context.engine.resolve_entities(query, limit=5)
    if not matches:
        await _subscribe(update, context, here, "keyword", query, None, excludes)
        return
    top = matches[0]
    clear = len(matches) == 1 or matches[1].score < top.score - 10
    if top.score >= SURE_SCORE and clear:
        await _subscribe(update, context, here, "entity", top.name, top.entity_id, excludes)
        return
    text_id = await context.chats.asked.remember(here.chat_id, f"{query}\n{excludes}")
    codec = context.runtime.codec
    buttons = [button(m.name, codec.encode(here.chat_id, "s", text_id, m.entity_id)) for m in matches]
    word_label = plain(here.lang, "follow_word").format(query=shorten(query, 40))
    buttons.append(button(word_label, codec.encode(here.chat_id, "k", text_id)))
    await reply(update, context, t(here.lang, "did_you_mean", query=query), column(buttons))


async def _subscribe(
    update: Update,
    context: BotContext,
    here: Turn,
    kind: str,
    name: str,
    entity_id: int | None,
    excludes: str,
) -> str:
    sub, new = await context.chats.subscriptions.add(
        here.chat_id, "entity" if kind == "entity" else "keyword", name, entity_id, excludes
    )
    if not new:
        text = t(here.lang, "already_subscribed", name=sub.query)
    elif kind == "entity":
        text = t(here.lang, "subscribed", name=sub.query)
    else:
        text = t(here.lang, "subscribed_keyword", name=sub.query)
    await reply(update, context, text)
    return text


async def on_pick_button(update: Update, context: BotContext, here: Turn, data: CallbackData) -> str | None:
    """A "did you mean" button: subscribe to the chosen person, or to the plain word."""
    if not await _may_change_or_say(update, context, here):
        return t(here.lang, "admins_only")
    stored = await context.chats.asked.recall(data.int_arg(0), here.chat_id)
    if stored is None:
        return t(here.lang, "button_stale")
    query, _, excludes = stored.partition("\n")
    if data.action == "k":
        await _subscribe(update, context, here, "keyword", query, None, excludes)
    else:
        entity_id = data.int_arg(1)
        matches = await context.engine.resolve_entities(query, limit=5)
        chosen = next((m for m in matches if m.entity_id == entity_id), None)
        if chosen is None:
            return t(here.lang, "button_stale")
        await _subscribe(update, context, here, "entity", chosen.name, chosen.entity_id, excludes)
    await _drop_buttons(update)
    return None


async def on_unsubscribe(update: Update, context: BotContext) -> None:
    """`/unsubscribe [X]`: remove X, or show the subscriptions as buttons."""
    here = await turn(update, context)
    if await refuse_unless_may_change(update, context, here.lang):
        return
    subs = await context.chats.subscriptions.list_for_chat(here.chat_id)
    if not subs:
        await reply(update, context, t(here.lang, "no_subscriptions"))
        return
    wanted = command_args(update.effective_message)
    if wanted:
        folded = wanted.casefold()
        hit = next((s for s in subs if s.query.casefold() == folded or str(s.id) == wanted), None)
        if hit is None:
            await reply(update, context, t(here.lang, "unsubscribe_missing", name=wanted))
            return
        await context.chats.subscriptions.remove(here.chat_id, hit.id)
        await reply(update, context, t(here.lang, "unsubscribed", name=hit.query))
        return
    codec = context.runtime.codec
    buttons = [button(f"✖ {_label(here.lang, s)}", codec.encode(here.chat_id, "u", s.id)) for s in subs]
    await reply(update, context, t(here.lang, "unsubscribe_choose"), column(buttons))


async def on_unsubscribe_button(
    update: Update, context: BotContext, here: Turn, data: CallbackData
) -> str | None:
    """An /unsubscribe button: remove that subscription."""
    if not await _may_change_or_say(update, context, here):
        return t(here.lang, "admins_only")
    removed = await context.chats.subscriptions.remove(here.chat_id, data.int_arg(0))
    if removed is None:
        return t(here.lang, "button_stale")
    await _drop_buttons(update)
    await reply(update, context, t(here.lang, "unsubscribed", name=removed.query))
    return None


async def on_subscriptions(update: Update, context: BotContext) -> None:
    """`/subscriptions`: what this chat follows, and its digest settings."""
    here = await turn(update, context)
    chat = await context.chats.chats.get(here.chat_id)
    subs = await context.chats.subscriptions.list_for_chat(here.chat_id)
    lines: list[str] = [t(here.lang, "subscriptions_header")] if subs else [t(here.lang, "no_subscriptions")]
    lines += [f"• {esc(_label(here.lang, s))}" for s in subs]
    if chat is not None:
        tz = chat.timezone or context.runtime.settings.timezone
        lines += ["", t(here.lang, "digest_line", mode=digest_label(here.lang, chat), tz=tz)]
    await reply(update, context, "\n".join(lines))


def _label(lang: str, sub: Subscription) -> str:
    label = sub.query if sub.kind == "entity" else f"{sub.query} ({plain(lang, 'keyword_label')})"
    if sub.excludes:
        label += f" — {plain(lang, 'excluding')} {sub.excludes}"
    return label


def digest_label(lang: str, chat: Chat) -> str:
    """The chat's digest mode in words."""
    if chat.digest_mode == "daily":
        return plain(lang, "digest_daily").format(time=chat.digest_time or "08:00")
    return plain(lang, f"digest_{chat.digest_mode}")


async def on_digest(update: Update, context: BotContext) -> None:
    """`/digest now|hourly|daily HH:MM|off`."""
    here = await turn(update, context)
    if await refuse_unless_may_change(update, context, here.lang):
        return
    words = command_args(update.effective_message).lower().split()
    mode: DigestMode
    at: str | None = None
    if words == ["now"] or words == ["hourly"] or words == ["off"]:
        mode = words[0]  # type: ignore[assignment]
    elif len(words) in (1, 2) and words[0] == "daily":
        match = _TIME.match(words[1] if len(words) == 2 else "08:00")
        if match is None:
            await reply(update, context, t(here.lang, "digest_usage"))
            return
        mode, at = "daily", f"{int(match.group(1)):02d}:{match.group(2)}"
    else:
        await reply(update, context, t(here.lang, "digest_usage"))
        return
    await context.chats.chats.set_digest(here.chat_id, mode, at)
    chat = await context.chats.chats.get(here.chat_id)
    assert chat is not None
    await reply(update, context, t(here.lang, "digest_set", mode=digest_label(here.lang, chat)))


async def on_timezone(update: Update, context: BotContext) -> None:
    """`/timezone Area/City`."""
    here = await turn(update, context)
    wanted = command_args(update.effective_message).strip()
    if not wanted:
        chat = await context.chats.chats.get(here.chat_id)
        tz = (chat.timezone if chat else None) or context.runtime.settings.timezone
        await reply(update, context, t(here.lang, "timezone_usage", tz=tz))
        return
    if await refuse_unless_may_change(update, context, here.lang):
        return
    name = _canonical_zone(wanted)
    if name is None:
        await reply(update, context, t(here.lang, "timezone_invalid", tz=shorten(wanted, 60)))
        return
    await context.chats.chats.set_timezone(here.chat_id, name)
    await reply(update, context, t(here.lang, "timezone_set", tz=name))


def _canonical_zone(text: str) -> str | None:
    if len(text) > 64 or not re.fullmatch(r"[A-Za-z0-9_+\-/]+", text):
        return None
    folded = {name.lower(): name for name in zoneinfo.available_timezones()}
    name = folded.get(text.lower())
    if name is None:
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return name


async def _may_change_or_say(update: Update, context: BotContext, here: Turn) -> bool:
    return here.private or await may_change_chat(update, context)


async def _drop_buttons(update: Update) -> None:
    query = update.callback_query
    if query is not None and query.message is not None:
        await query.edit_message_reply_markup(reply_markup=None)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """This module's handlers."""
    return [
        CommandHandler("subscribe", on_subscribe, filters=MESSAGES_ONLY),
        CommandHandler("unsubscribe", on_unsubscribe, filters=MESSAGES_ONLY),
        CommandHandler("subscriptions", on_subscriptions, filters=MESSAGES_ONLY),
        CommandHandler("digest", on_digest, filters=MESSAGES_ONLY),
        CommandHandler("timezone", on_timezone, filters=MESSAGES_ONLY),
    ]
