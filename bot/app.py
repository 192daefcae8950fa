"""The composition root: builds the python-telegram-bot Application and runs it.

Services are opened in `post_init` and closed in `post_shutdown`; handlers are registered in one
place (`handlers.register`); the context is typed (`bot.context.BotContext`). Long polling by default,
a webhook when WEBHOOK_URL is set (Telegram's secret-token header checked on every request).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import secrets
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import urlparse

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

import bot.jobs
import handlers
from bot.context import BotApplication, BotContext, BotData, ChatServices, RateLimiter, Runtime
from bot.i18n import LANGS, pick_lang, plain, t
from bot.render import CallbackCodec
from bot.services import Services, build_services, close_services
from bot.settings import Settings
from news.engine import set_index_workers

log = logging.getLogger(__name__)

ServicesFactory = Callable[[Settings], Awaitable[Services]]

PUBLIC_COMMANDS = (
    "start",
    "help",
    "ask",
    "subscribe",
    "unsubscribe",
    "subscriptions",
    "digest",
    "timezone",
    "lang",
)
ADMIN_COMMANDS = {
    "add": "Add an article (text or URL)",
    "sources": "List sources and their polling state",
    "addsource": "Add a feed or page URL as a source",
    "removesource": "Remove a source (ID or URL)",
    "opml": "Sources as OPML; reply to an .opml file to import",
    "alias": "Edit name aliases",
    "stats": "Statistics",
    "broadcast": "Message every chat",
    "ban": "Ban a user",
    "unban": "Unban a user",
}
RATE_LIMITER_RETRIES = 3


def api_urls(base: str) -> tuple[str, str]:
    """`base_url` and `base_file_url` for a Bot API server root such as http://localhost:8081."""
    root = base.rstrip("/")
    root = root.removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


def build_application(
    settings: Settings,
    *,
    services_factory: ServicesFactory = build_services,
    token: str | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    with_updater: bool = True,
) -> BotApplication:
    """The Application with every handler, the typed context, rate limiting and the lifecycle hooks."""
    if token is None:
        if settings.bot_token is None:
            raise ValueError("BOT_TOKEN is not set")
        token = settings.bot_token.get_secret_value()

    async def post_init(application: BotApplication) -> None:
        set_index_workers(0)  # no forked indexing workers inside a process with network threads
        services = await services_factory(settings)
        application.bot_data.services = services
        application.bot_data.chats = ChatServices.on(services)
        await set_commands(application)
        await bot.jobs.install(application)

    async def post_shutdown(application: BotApplication) -> None:
        await bot.jobs.shutdown(application)  # the sender stops between messages, before the DB closes
        services = application.bot_data.services
        application.bot_data.services = None
        application.bot_data.chats = None
        if services is not None:
            await close_services(services)

    builder = (
        ApplicationBuilder()
        .token(token)
        .context_types(ContextTypes(context=BotContext, bot_data=BotData))
        .defaults(
            Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
        )
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=settings.send_rate_global_per_second,
                overall_time_period=1,
                group_max_rate=settings.send_rate_group_per_minute,
                group_time_period=60,
                max_retries=RATE_LIMITER_RETRIES,
            )
        )
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .concurrent_updates(False)
    )
    if settings.telegram_api_base_url:
        base_url, base_file_url = api_urls(settings.telegram_api_base_url)
        builder = builder.base_url(base_url).base_file_url(base_file_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(get_updates_request or request)
    if not with_updater:
        builder = builder.updater(None)
    application: BotApplication = builder.build()  # type: ignore[assignment]
    application.bot_data.runtime = Runtime(
        settings=settings,
        codec=CallbackCodec.from_token(token),
        limiter=RateLimiter(settings.questions_per_minute),
        admin_ids=settings.admin_ids,
    )
    handlers.register(application)
    application.add_error_handler(on_error)
    return application


async def set_commands(application: BotApplication) -> None:
    """The command menu in every supported language (and the default), plus admin commands for admins."""
    bot_ = application.bot
    for lang in (None, *LANGS):
        commands = [BotCommand(name, plain(lang or "en", f"cmd_{name}")) for name in PUBLIC_COMMANDS]
        await bot_.set_my_commands(commands, language_code=lang)
    runtime = application.bot_data.runtime
    admin_ids = runtime.admin_ids if runtime else frozenset()
    public = [BotCommand(name, plain("en", f"cmd_{name}")) for name in PUBLIC_COMMANDS]
    admin = public + [BotCommand(name, text) for name, text in ADMIN_COMMANDS.items()]
    for admin_id in sorted(admin_ids):
        try:
            await bot_.set_my_commands(admin, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # the admin has not started a chat with the bot yet
            log.info("no admin command menu for %s: %s", admin_id, exc)


def describe_update(update: object) -> str:
    """Where an update came from, for logs: id, kind, chat and user (never the message text)."""
    if not isinstance(update, Update):
        return "no update" if update is None else type(update).__name__
    kind = next(
        (
            name
            for name in ("message", "edited_message", "callback_query", "inline_query", "channel_post")
            if getattr(update, name, None) is not None
        ),
        "other",
    )
    chat = update.effective_chat
    user = update.effective_user
    return (
        f"update {update.update_id} ({kind}) chat {chat.id if chat else '-'} "
        f"({chat.type if chat else '-'}) user {user.id if user else '-'}"
    )


async def on_error(update: object, context: BotContext) -> None:
    """Log the error with the update's context; tell the user something went wrong, without details."""
    error = context.error
    log.error("error while handling %s: %r", describe_update(update), error, exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        lang = pick_lang(None, update.effective_user.language_code if update.effective_user else None)
        chats = context.bot_data.chats
        if update.effective_chat is not None and chats is not None:
            record = await chats.chats.get(update.effective_chat.id)
            lang = pick_lang(
                record.lang if record else None,
                update.effective_user.language_code if update.effective_user else None,
            )
        if update.callback_query is not None:
            await update.callback_query.answer(plain(lang, "error"), show_alert=True)
        elif update.inline_query is not None:
            await update.inline_query.answer([], cache_time=0)
        elif update.effective_chat is not None and update.effective_message is not None:
            if update.effective_chat.type == ChatType.CHANNEL:
                return
            await context.bot.send_message(update.effective_chat.id, t(lang, "error"))
    except Forbidden:
        log.info("could not report the error: the bot was blocked or removed")
    except TelegramError as exc:
        log.warning("could not report the error to the user: %s", exc)
    except Exception:  # the error handler itself must never raise
        log.exception("error handler failed")


@contextlib.asynccontextmanager
async def running(
    application: BotApplication, *, polling: bool = False, **polling_kwargs: object
) -> AsyncIterator[None]:
    """Initialize, run post_init, (poll,) start; on exit stop, shut down and run post_shutdown.

    The same order as `Application.run_polling`, usable inside an already running event loop
    (tests, the console chat, `python -m bot run`).
    """
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if polling and application.updater is not None:
            await application.updater.start_polling(**polling_kwargs)  # type: ignore[arg-type]
        await application.start()
        try:
            yield
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def run_bot(settings: Settings, *, stop: asyncio.Event | None = None) -> int:
    """Run the bot until SIGINT/SIGTERM (or `stop` is set): long polling, or a webhook with WEBHOOK_URL."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    application = build_application(settings)
    if settings.webhook_url:
        if importlib.util.find_spec("tornado") is None:
            log.error(
                "WEBHOOK_URL is set but webhook support is not installed: "
                "pip install 'python-telegram-bot[webhooks]', or unset WEBHOOK_URL to use long polling"
            )
            return 2
        secret = (
            settings.webhook_secret.get_secret_value()
            if settings.webhook_secret
            else secrets.token_urlsafe(32)
        )
        path = urlparse(settings.webhook_url).path.lstrip("/")
        await application.initialize()
        try:
            if application.post_init is not None:
                await application.post_init(application)
            assert application.updater is not None
            await application.updater.start_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=path,
                webhook_url=settings.webhook_url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
            )
            await application.start()
            log.info("webhook mode on %s:%s", settings.webhook_listen, settings.webhook_port)
            await stop.wait()
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            await application.shutdown()
            if application.post_shutdown is not None:
                await application.post_shutdown(application)
        return 0
    async with running(application, polling=True, allowed_updates=Update.ALL_TYPES):
        log.info("long polling as @%s", application.bot.username)
        await stop.wait()
    return 0
