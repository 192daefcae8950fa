"""Every message the bot writes, in English, Russian and Bulgarian.

Templates are Telegram HTML. `t()` escapes every value it interpolates unless the value is `Html`
(markup built by bot/render.py), so a name or question can never inject markup.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("en", "ru", "bg")
DEFAULT_LANG = "en"


class Html(str):
    """A string that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def esc(text: object) -> str:
    """Text made safe for Telegram HTML (and for a double-quoted attribute): & first, then < > "."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def pick_lang(chat_lang: str | None, user_lang: str | None) -> str:
    """The chat's override, else the user's Telegram language when supported, else English."""
    if chat_lang in LANGS:
        return chat_lang
    code = (user_lang or "").lower()[:2]
    return code if code in LANGS else DEFAULT_LANG


_M: dict[str, dict[str, str]] = {
    # -- general ----------------------------------------------------------------------------------------
    "start": {
        "en": "Hello! I read the news and tell you <b>who said what</b>, across Russian, Bulgarian and "
        "English sources.\n\nAsk me a question, for example: <i>what did Lavrov say?</i>\n"
        "Follow a person with /subscribe, see everything with /help.",
        "ru": "Здравствуйте! Я читаю новости и рассказываю, <b>кто что сказал</b>, по русским, болгарским и "
        "английским источникам.\n\nЗадайте вопрос, например: <i>что сказал Лавров?</i>\n"
        "Следить за человеком: /subscribe, все команды: /help.",
        "bg": "Здравейте! Чета новините и казвам <b>кой какво е казал</b> по руски, български и английски "
        "източници.\n\nЗадайте въпрос, например: <i>какво каза Лавров?</i>\n"
        "Следене на човек: /subscribe, всички команди: /help.",
    },
    "help": {
        "en": "<b>Asking</b>\nWrite a question in a private chat, or use /ask question. "
        "In groups, mention me "
        "or reply to my message. In any chat, type @{bot} question for inline results.\n\n"
        "<b>Following</b>\n/subscribe name or word (use -word to exclude)\n/unsubscribe\n/subscriptions\n"
        "/digest now | hourly | daily HH:MM | off\n/timezone Area/City\n\n"
        "<b>Settings</b>\n/lang en | ru | bg | auto",
        "ru": "<b>Вопросы</b>\nНапишите вопрос в личном чате или используйте /ask вопрос. "
        "В группах упомяните "
        "меня или ответьте на моё сообщение. В любом чате наберите @{bot} вопрос.\n\n"
        "<b>Подписки</b>\n/subscribe имя или слово (-слово исключает)\n/unsubscribe\n/subscriptions\n"
        "/digest now | hourly | daily ЧЧ:ММ | off\n/timezone Регион/Город\n\n"
        "<b>Настройки</b>\n/lang en | ru | bg | auto",
        "bg": "<b>Въпроси</b>\nНапишете въпрос в личен чат или използвайте /ask въпрос. В групи ме споменете "
        "или отговорете на мое съобщение. Във всеки чат напишете @{bot} въпрос.\n\n"
        "<b>Абонаменти</b>\n/subscribe име или дума (-дума изключва)\n/unsubscribe\n/subscriptions\n"
        "/digest now | hourly | daily ЧЧ:ММ | off\n/timezone Регион/Град\n\n"
        "<b>Настройки</b>\n/lang en | ru | bg | auto",
    },
    "help_admin": {
        "en": "<b>Admin</b>\n/add text or URL\n/sources, /addsource URL, /removesource ID or URL\n"
        "/opml: the feeds as an OPML file; send an .opml file (or reply /opml to one) to import it\n"
        "/alias add NAME = ALIAS, /alias remove NAME = ALIAS, /alias list [NAME]\n/stats\n/broadcast text\n"
        "/ban USER_ID, /unban USER_ID",
        "ru": "<b>Администратор</b>\n/add текст или URL\n/sources, /addsource URL, /removesource ID или URL\n"
        "/opml: ленты файлом OPML; пришлите файл .opml (или ответьте на него /opml), чтобы импортировать\n"
        "/alias add ИМЯ = ВАРИАНТ, /alias remove ИМЯ = ВАРИАНТ, /alias list [ИМЯ]\n/stats\n"
        "/broadcast текст\n/ban USER_ID, /unban USER_ID",
        "bg": "<b>Администратор</b>\n/add текст или URL\n/sources, /addsource URL, /removesource ID или URL\n"
        "/opml: емисиите като файл OPML; изпратете файл .opml (или отговорете на него с /opml) за внос\n"
        "/alias add ИМЕ = ВАРИАНТ, /alias remove ИМЕ = ВАРИАНТ, /alias list [ИМЕ]\n/stats\n"
        "/broadcast текст\n/ban USER_ID, /unban USER_ID",
    },
    "unknown_command": {
        "en": "I don't know that command. See /help.",
        "ru": "Такой команды я не знаю. Смотрите /help.",
        "bg": "Не познавам тази команда. Вижте /help.",
    },
    "error": {
        "en": "Sorry, something went wrong on my side. Please try again in a moment.",
        "ru": "Извините, у меня что-то пошло не так. Попробуйте ещё раз чуть позже.",
        "bg": "Съжалявам, нещо се обърка при мен. Опитайте отново след малко.",
    },
    "admins_only": {
        "en": "In groups, only chat administrators can change this.",
        "ru": "В группах это могут менять только администраторы чата.",
        "bg": "В групи това могат да променят само администраторите на чата.",
    },
    "untitled": {"en": "(untitled)", "ru": "(без заголовка)", "bg": "(без заглавие)"},
    # -- asking -----------------------------------------------------------------------------------------
    "ask_usage": {
        "en": "Write your question after the command, for example: /ask what did Lavrov say?",
        "ru": "Напишите вопрос после команды, например: /ask что сказал Лавров?",
        "bg": "Напишете въпроса след командата, например: /ask какво каза Лавров?",
    },
    "ask_empty": {
        "en": "Your question has no words I can search for. Try a name or a topic.",
        "ru": "В вопросе нет слов, по которым можно искать. Попробуйте имя или тему.",
        "bg": "Във въпроса няма думи, по които да търся. Опитайте с име или тема.",
    },
    "ask_too_long": {
        "en": "Your question is too long ({length} characters). Please keep it under {limit} characters.",
        "ru": "Вопрос слишком длинный ({length} символов). Пожалуйста, уложитесь в {limit} символов.",
        "bg": "Въпросът е твърде дълъг ({length} знака). Моля, съкратете го до {limit} знака.",
    },
    "ask_engine_too_long": {
        "en": "Your question is too long for me. Please shorten it.",
        "ru": "Вопрос слишком длинный для меня. Пожалуйста, сократите его.",
        "bg": "Въпросът е твърде дълъг за мен. Моля, съкратете го.",
    },
    "rate_limited": {
        "en": "You are asking faster than I can answer. Please wait {seconds} s and ask again.",
        "ru": "Вы спрашиваете быстрее, чем я успеваю отвечать. Подождите {seconds} с и спросите снова.",
        "bg": "Питате по-бързо, отколкото мога да отговарям. Изчакайте {seconds} с и попитайте отново.",
    },
    "answer_for": {
        "en": "Answers for: <i>{question}</i>",
        "ru": "Ответы на вопрос: <i>{question}</i>",
        "bg": "Отговори на въпроса: <i>{question}</i>",
    },
    "answer_speaker": {
        "en": "What <b>{name}</b> said:",
        "ru": "Что сказал(а) <b>{name}</b>:",
        "bg": "Какво е казал(а) <b>{name}</b>:",
    },
    "answer_no_quotes": {
        "en": "I have no quotes of <b>{name}</b>; here are passages that mention them:",
        "ru": "Цитат <b>{name}</b> у меня нет; вот фрагменты, где упоминается этот человек:",
        "bg": "Нямам цитати на <b>{name}</b>; ето откъси, в които се споменава:",
    },
    "answer_range": {
        "en": "Answers {start}–{end} of {total}",
        "ru": "Ответы {start}–{end} из {total}",
        "bg": "Отговори {start}–{end} от {total}",
    },
    "answer_nothing": {
        "en": "I found nothing for <i>{question}</i>. Try another spelling or a shorter question.",
        "ru": "По запросу <i>{question}</i> ничего не найдено. "
        "Попробуйте другое написание или вопрос короче.",
        "bg": "Не намерих нищо за <i>{question}</i>. Опитайте друго изписване или по-кратък въпрос.",
    },
    "answer_nothing_person": {
        "en": "I know <b>{name}</b>, but found nothing they said yet.",
        "ru": "Я знаю, кто такой <b>{name}</b>, но пока не нашёл его высказываний.",
        "bg": "Знам кой е <b>{name}</b>, но още не намерих негови изказвания.",
    },
    "also_in": {"en": "Also reported by:", "ru": "Также сообщают:", "bg": "Съобщават също:"},
    "and_more": {"en": "…and {n} more", "ru": "…и ещё {n}", "bg": "…и още {n}"},
    # -- buttons ----------------------------------------------------------------------------------------
    "button_stale": {
        "en": "This button is out of date. Please ask again.",
        "ru": "Эта кнопка устарела. Пожалуйста, спросите снова.",
        "bg": "Този бутон е остарял. Моля, попитайте отново.",
    },
    "button_invalid": {
        "en": "This button does not belong here; nothing was changed.",
        "ru": "Эта кнопка не отсюда; ничего не изменено.",
        "bg": "Този бутон не е оттук; нищо не е променено.",
    },
    "button_done": {"en": "Done.", "ru": "Готово.", "bg": "Готово."},
    # -- subscriptions ----------------------------------------------------------------------------------
    "subscribe_usage": {
        "en": "Tell me whom or what to follow, for example: /subscribe Lavrov or /subscribe gas -Qatar",
        "ru": "Напишите, за кем или чем следить, например: /subscribe Лавров или /subscribe газ -Катар",
        "bg": "Напишете кого или какво да следя, например: /subscribe Лавров или /subscribe газ -Катар",
    },
    "subscribe_too_long": {
        "en": "That is too long to follow. Please use at most {limit} characters.",
        "ru": "Слишком длинно для подписки. Не больше {limit} символов, пожалуйста.",
        "bg": "Твърде дълго за абонамент. Моля, не повече от {limit} знака.",
    },
    "subscribed": {
        "en": "Subscribed to <b>{name}</b>. You will get news about them by your digest setting (/digest).",
        "ru": "Подписка на <b>{name}</b> оформлена. Новости придут по вашему расписанию (/digest).",
        "bg": "Абонирахте се за <b>{name}</b>. Новините ще идват според графика ви (/digest).",
    },
    "subscribed_keyword": {
        "en": "Subscribed to the word <b>{name}</b>.",
        "ru": "Подписка на слово <b>{name}</b> оформлена.",
        "bg": "Абонирахте се за думата <b>{name}</b>.",
    },
    "already_subscribed": {
        "en": "You already follow <b>{name}</b>.",
        "ru": "Вы уже следите за <b>{name}</b>.",
        "bg": "Вече следите <b>{name}</b>.",
    },
    "did_you_mean": {
        "en": "Whom did you mean by <i>{query}</i>?",
        "ru": "Кого вы имели в виду под <i>{query}</i>?",
        "bg": "Кого имахте предвид с <i>{query}</i>?",
    },
    "follow_word": {
        "en": "Just the word “{query}”",
        "ru": "Просто слово «{query}»",
        "bg": "Само думата „{query}“",
    },
    "too_many_subscriptions": {
        "en": "This chat already has {limit} subscriptions. Remove some with /unsubscribe first.",
        "ru": "В этом чате уже {limit} подписок. Сначала удалите лишние через /unsubscribe.",
        "bg": "Този чат вече има {limit} абонамента. Първо премахнете някои с /unsubscribe.",
    },
    "no_subscriptions": {
        "en": "This chat follows nothing yet. Try /subscribe Lavrov.",
        "ru": "В этом чате пока нет подписок. Попробуйте /subscribe Лавров.",
        "bg": "Този чат още не следи нищо. Опитайте /subscribe Лавров.",
    },
    "unsubscribe_choose": {
        "en": "Which subscription should I remove?",
        "ru": "Какую подписку удалить?",
        "bg": "Кой абонамент да премахна?",
    },
    "unsubscribed": {
        "en": "Unsubscribed from <b>{name}</b>.",
        "ru": "Подписка на <b>{name}</b> удалена.",
        "bg": "Абонаментът за <b>{name}</b> е премахнат.",
    },
    "unsubscribe_missing": {
        "en": "This chat does not follow <i>{name}</i>. See /subscriptions.",
        "ru": "Этот чат не подписан на <i>{name}</i>. Смотрите /subscriptions.",
        "bg": "Този чат не следи <i>{name}</i>. Вижте /subscriptions.",
    },
    "subscriptions_header": {
        "en": "<b>This chat follows:</b>",
        "ru": "<b>Подписки этого чата:</b>",
        "bg": "<b>Този чат следи:</b>",
    },
    "keyword_label": {"en": "word", "ru": "слово", "bg": "дума"},
    "excluding": {"en": "excluding", "ru": "кроме", "bg": "без"},
    "digest_line": {
        "en": "Digest: {mode}. Time zone: {tz}.",
        "ru": "Дайджест: {mode}. Часовой пояс: {tz}.",
        "bg": "Бюлетин: {mode}. Часова зона: {tz}.",
    },
    "digest_now": {"en": "as news arrives", "ru": "сразу по мере новостей", "bg": "веднага щом има новини"},
    "digest_hourly": {"en": "hourly", "ru": "раз в час", "bg": "всеки час"},
    "digest_daily": {"en": "daily at {time}", "ru": "ежедневно в {time}", "bg": "всеки ден в {time}"},
    "digest_off": {"en": "off", "ru": "выключен", "bg": "изключен"},
    "digest_usage": {
        "en": "Use /digest now, /digest hourly, /digest daily HH:MM (for example 08:30) or /digest off.",
        "ru": "Используйте /digest now, /digest hourly, /digest daily ЧЧ:ММ "
        "(например 08:30) или /digest off.",
        "bg": "Използвайте /digest now, /digest hourly, /digest daily ЧЧ:ММ "
        "(например 08:30) или /digest off.",
    },
    "digest_set": {
        "en": "Digest set: {mode}.",
        "ru": "Дайджест: {mode}.",
        "bg": "Бюлетин: {mode}.",
    },
    "timezone_usage": {
        "en": "Use /timezone Area/City, for example /timezone Europe/Sofia. Now: {tz}.",
        "ru": "Используйте /timezone Регион/Город, например /timezone Europe/Moscow. Сейчас: {tz}.",
        "bg": "Използвайте /timezone Регион/Град, например /timezone Europe/Sofia. Сега: {tz}.",
    },
    "timezone_invalid": {
        "en": "I don't know the time zone <i>{tz}</i>. Use a name like Europe/Sofia or UTC.",
        "ru": "Часовой пояс <i>{tz}</i> мне неизвестен. Используйте имя вида Europe/Moscow или UTC.",
        "bg": "Не познавам часовата зона <i>{tz}</i>. Използвайте име като Europe/Sofia или UTC.",
    },
    "timezone_set": {
        "en": "Time zone set: {tz}.",
        "ru": "Часовой пояс: {tz}.",
        "bg": "Часова зона: {tz}.",
    },
    # -- language ---------------------------------------------------------------------------------------
    "lang_choose": {
        "en": "Choose the language for this chat, or /lang auto to follow each user's Telegram language.",
        "ru": "Выберите язык этого чата или /lang auto, чтобы следовать языку Telegram каждого пользователя.",
        "bg": "Изберете език за този чат или /lang auto, "
        "за да следвам езика на Telegram на всеки потребител.",
    },
    "lang_set": {
        "en": "I will write in English here.",
        "ru": "Буду писать здесь по-русски.",
        "bg": "Ще пиша тук на български.",
    },
    "lang_auto": {
        "en": "I will follow each user's Telegram language.",
        "ru": "Буду следовать языку Telegram каждого пользователя.",
        "bg": "Ще следвам езика на Telegram на всеки потребител.",
    },
    "lang_auto_button": {"en": "Automatic", "ru": "Автоматически", "bg": "Автоматично"},
    # -- inline -----------------------------------------------------------------------------------------
    "inline_said": {"en": "{name}: {quote}", "ru": "{name}: {quote}", "bg": "{name}: {quote}"},
    # -- admin ------------------------------------------------------------------------------------------
    "add_usage": {
        "en": "Paste the article after /add (first line the title), send /add URL, or reply /add to a "
        "forwarded post.",
        "ru": "Вставьте статью после /add (первая строка — заголовок), отправьте /add URL или ответьте /add "
        "на пересланный пост.",
        "bg": "Поставете статията след /add (първият ред е заглавието), изпратете /add URL или отговорете с "
        "/add на препратена публикация.",
    },
    "add_ok": {
        "en": "Added article {id}: <b>{title}</b>. It is searchable now.",
        "ru": "Статья {id} добавлена: <b>{title}</b>. Уже доступна для поиска.",
        "bg": "Статия {id} е добавена: <b>{title}</b>. Вече може да се търси.",
    },
    "add_duplicate": {
        "en": "Already stored as article {id} ({reason}).",
        "ru": "Уже есть: статья {id} ({reason}).",
        "bg": "Вече е записана като статия {id} ({reason}).",
    },
    "add_rejected": {
        "en": "Not added: {reason}",
        "ru": "Не добавлено: {reason}",
        "bg": "Не е добавена: {reason}",
    },
    "fetch_failed": {
        "en": "Could not fetch that page: {reason}",
        "ru": "Не удалось загрузить страницу: {reason}",
        "bg": "Страницата не можа да бъде изтеглена: {reason}",
    },
    # SourceError.code → why an address was refused ({detail}: the technical reason, in English)
    "source_error_invalid": {
        "en": "That is not a usable web address ({detail}).",
        "ru": "Это не подходящий веб-адрес ({detail}).",
        "bg": "Това не е използваем уеб адрес ({detail}).",
    },
    "source_error_scheme": {
        "en": "Only http:// and https:// addresses can be used ({detail}).",
        "ru": "Можно использовать только адреса http:// и https:// ({detail}).",
        "bg": "Могат да се използват само адреси с http:// и https:// ({detail}).",
    },
    "source_error_private": {
        "en": "Refused: that address is on a private or local network ({detail}).",
        "ru": "Отказано: этот адрес находится в частной или локальной сети ({detail}).",
        "bg": "Отказано: този адрес е в частна или локална мрежа ({detail}).",
    },
    "source_error_resolve": {
        "en": "The host name does not resolve ({detail}).",
        "ru": "Имя хоста не находится в DNS ({detail}).",
        "bg": "Името на хоста не може да бъде намерено ({detail}).",
    },
    "source_error_fetch": {
        "en": "Could not download it ({detail}).",
        "ru": "Не удалось загрузить ({detail}).",
        "bg": "Не можа да бъде изтеглено ({detail}).",
    },
    "source_error_not_source": {
        "en": "That is neither an RSS/Atom feed nor a page with article text ({detail}).",
        "ru": "Это не лента RSS/Atom и не страница с текстом статьи ({detail}).",
        "bg": "Това не е нито емисия RSS/Atom, нито страница с текст на статия ({detail}).",
    },
    "source_error_no_text": {
        "en": "No article text found on that page ({detail}).",
        "ru": "На странице не найден текст статьи ({detail}).",
        "bg": "На страницата не е намерен текст на статия ({detail}).",
    },
    "source_error_kind": {
        "en": "Unknown source kind ({detail}).",
        "ru": "Неизвестный вид источника ({detail}).",
        "bg": "Непознат вид източник ({detail}).",
    },
    "source_error_opml": {
        "en": "That file is not an OPML document ({detail}).",
        "ru": "Этот файл не документ OPML ({detail}).",
        "bg": "Този файл не е документ OPML ({detail}).",
    },
    "sources_empty": {
        "en": "No sources yet. Add one with /addsource URL.",
        "ru": "Источников пока нет. Добавьте: /addsource URL.",
        "bg": "Още няма източници. Добавете: /addsource URL.",
    },
    "sources_header": {"en": "<b>Sources</b>", "ru": "<b>Источники</b>", "bg": "<b>Източници</b>"},
    "source_kind_feed": {"en": "feed", "ru": "лента", "bg": "емисия"},
    "source_kind_page": {"en": "page", "ru": "страница", "bg": "страница"},
    "source_state": {
        "en": "{kind}, every {interval}, {articles} articles, last polled {polled}",
        "ru": "{kind}, каждые {interval}, статей: {articles}, последний опрос {polled}",
        "bg": "{kind}, на всеки {interval}, статии: {articles}, последна проверка {polled}",
    },
    "source_never": {"en": "never", "ru": "никогда", "bg": "никога"},
    "source_next": {
        "en": "next poll {at}",
        "ru": "следующий опрос {at}",
        "bg": "следваща проверка {at}",
    },
    "source_due": {"en": "next poll: now", "ru": "следующий опрос: сейчас", "bg": "следваща проверка: сега"},
    "source_failing": {
        "en": "failures in a row: {failures}, last error: {error}",
        "ru": "ошибок подряд: {failures}, последняя: {error}",
        "bg": "поредни грешки: {failures}, последна: {error}",
    },
    "source_disabled_since": {
        "en": "<b>disabled</b> since {at}; /addsource {url} enables it again",
        "ru": "<b>отключён</b> с {at}; /addsource {url} включит его снова",
        "bg": "<b>изключен</b> от {at}; /addsource {url} го включва отново",
    },
    "unit_seconds": {"en": "{n} s", "ru": "{n} с", "bg": "{n} с"},
    "unit_minutes": {"en": "{n} min", "ru": "{n} мин", "bg": "{n} мин"},
    "unit_hours": {"en": "{n} h", "ru": "{n} ч", "bg": "{n} ч"},
    "addsource_usage": {
        "en": "Use /addsource followed by an http or https address of a feed or a page.",
        "ru": "Используйте /addsource и адрес http или https ленты или страницы.",
        "bg": "Използвайте /addsource и адрес с http или https на емисия или страница.",
    },
    "addsource_ok": {
        "en": "Source {id} added ({kind}): {url}",
        "ru": "Источник {id} добавлен ({kind}): {url}",
        "bg": "Източник {id} е добавен ({kind}): {url}",
    },
    "addsource_exists": {
        "en": "Already a source ({id}): {url}",
        "ru": "Уже есть источник ({id}): {url}",
        "bg": "Вече е източник ({id}): {url}",
    },
    "addsource_reenabled": {
        "en": "Source {id} was disabled and is enabled again; it will be polled shortly: {url}",
        "ru": "Источник {id} был отключён и снова включён; скоро будет опрошен: {url}",
        "bg": "Източник {id} беше изключен и е включен отново; скоро ще бъде проверен: {url}",
    },
    "addsource_refused": {
        "en": "Not added: {url}\n{reason}",
        "ru": "Не добавлено: {url}\n{reason}",
        "bg": "Не е добавен: {url}\n{reason}",
    },
    "removesource_usage": {
        "en": "Use /removesource ID or /removesource URL (see /sources for the ids).",
        "ru": "Используйте /removesource ID или /removesource URL (номера в /sources).",
        "bg": "Използвайте /removesource ID или /removesource URL (номерата са в /sources).",
    },
    "removesource_ok": {
        "en": "Source removed: {url} (its articles stay).",
        "ru": "Источник удалён: {url} (его статьи остаются).",
        "bg": "Източникът е премахнат: {url} (статиите му остават).",
    },
    "removesource_missing": {
        "en": "There is no source {id}.",
        "ru": "Источника {id} нет.",
        "bg": "Няма източник {id}.",
    },
    "opml_caption": {
        "en": "{count} feeds as OPML. Pages are not included; send this file back to import it.",
        "ru": "Лент в OPML: {count}. Страницы не включены; пришлите этот файл, чтобы импортировать его.",
        "bg": "Емисии в OPML: {count}. Страниците не са включени; изпратете файла, за да го внесете.",
    },
    "opml_not_document": {
        "en": "Reply /opml to an .opml or .xml file to import it, or send /opml alone to export.",
        "ru": "Ответьте /opml на файл .opml или .xml, чтобы импортировать его, или отправьте /opml для "
        "экспорта.",
        "bg": "Отговорете с /opml на файл .opml или .xml, за да го внесете, или изпратете само /opml за "
        "износ.",
    },
    "opml_too_big": {
        "en": "That file is too large for an OPML list ({size} bytes, at most {limit}).",
        "ru": "Файл слишком велик для списка OPML ({size} байт, не больше {limit}).",
        "bg": "Файлът е твърде голям за списък OPML ({size} байта, най-много {limit}).",
    },
    "opml_download_failed": {
        "en": "Could not download the file from Telegram: {reason}",
        "ru": "Не удалось скачать файл из Telegram: {reason}",
        "bg": "Файлът не можа да бъде изтеглен от Telegram: {reason}",
    },
    "opml_import_done": {
        "en": "<b>OPML import</b>: {added} added, {existing} already there (re-enabled if disabled), "
        "{rejected} rejected.",
        "ru": "<b>Импорт OPML</b>: добавлено {added}, уже были {existing} (отключённые включены), "
        "отклонено {rejected}.",
        "bg": "<b>Внос на OPML</b>: добавени {added}, вече съществуващи {existing} (изключените са "
        "включени), отхвърлени {rejected}.",
    },
    "opml_import_added": {"en": "<b>Added</b>", "ru": "<b>Добавлены</b>", "bg": "<b>Добавени</b>"},
    "opml_import_rejected": {
        "en": "<b>Rejected</b>",
        "ru": "<b>Отклонены</b>",
        "bg": "<b>Отхвърлени</b>",
    },
    "opml_import_more": {"en": "… and {count} more", "ru": "… и ещё {count}", "bg": "… и още {count}"},
    "alias_usage": {
        "en": "Use /alias add NAME = ALIAS, /alias remove NAME = ALIAS or /alias list [NAME].",
        "ru": "Используйте /alias add ИМЯ = ВАРИАНТ, /alias remove ИМЯ = ВАРИАНТ или /alias list [ИМЯ].",
        "bg": "Използвайте /alias add ИМЕ = ВАРИАНТ, /alias remove ИМЕ = ВАРИАНТ или /alias list [ИМЕ].",
    },
    "alias_unavailable": {
        "en": "Aliases cannot be edited in this version.",
        "ru": "Варианты имён в этой версии менять нельзя.",
        "bg": "Вариантите на имената не могат да се променят в тази версия.",
    },
    "alias_done": {"en": "Done: {detail}", "ru": "Готово: {detail}", "bg": "Готово: {detail}"},
    "alias_failed": {
        "en": "Not done: {detail}",
        "ru": "Не сделано: {detail}",
        "bg": "Не е направено: {detail}",
    },
    "alias_list_empty": {"en": "No aliases.", "ru": "Вариантов нет.", "bg": "Няма варианти."},
    "stats": {
        "en": "<b>Statistics</b>\nArticles: {articles}\nQuotes: {quotes}\nPeople: {people}\n"
        "Chats: {chats} ({active} active)\nSubscriptions: {subscriptions}\nDeliveries: {deliveries}",
        "ru": "<b>Статистика</b>\nСтатей: {articles}\nЦитат: {quotes}\nЛюдей: {people}\n"
        "Чатов: {chats} (активных {active})\nПодписок: {subscriptions}\nДоставок: {deliveries}",
        "bg": "<b>Статистика</b>\nСтатии: {articles}\nЦитати: {quotes}\nХора: {people}\n"
        "Чатове: {chats} ({active} активни)\nАбонаменти: {subscriptions}\nДоставки: {deliveries}",
    },
    "stats_sources": {
        "en": "Sources: {sources} ({disabled} disabled)\nWaiting to be sent: {pending}",
        "ru": "Источников: {sources} (отключено {disabled})\nОжидают отправки: {pending}",
        "bg": "Източници: {sources} ({disabled} изключени)\nЧакат изпращане: {pending}",
    },
    "stats_disabled": {
        "en": "<b>Disabled sources</b> (re-add with /addsource after fixing)",
        "ru": "<b>Отключённые источники</b> (исправьте и добавьте снова через /addsource)",
        "bg": "<b>Изключени източници</b> (поправете и добавете отново с /addsource)",
    },
    "stats_errors": {
        "en": "<b>Last errors</b>",
        "ru": "<b>Последние ошибки</b>",
        "bg": "<b>Последни грешки</b>",
    },
    "not_available": {"en": "n/a", "ru": "н/д", "bg": "н/д"},
    "broadcast_usage": {
        "en": "Use /broadcast followed by the text to send to every active chat.",
        "ru": "Используйте /broadcast и текст для всех активных чатов.",
        "bg": "Използвайте /broadcast и текст за всички активни чатове.",
    },
    "broadcast_done": {
        "en": "Broadcast queued for {count} chats.",
        "ru": "Рассылка поставлена в очередь для {count} чатов.",
        "bg": "Разпращането е в опашка за {count} чата.",
    },
    "ban_usage": {
        "en": "Use /ban USER_ID or /unban USER_ID (or reply to the user's message).",
        "ru": "Используйте /ban USER_ID или /unban USER_ID (или ответьте на сообщение пользователя).",
        "bg": "Използвайте /ban USER_ID или /unban USER_ID (или отговорете на съобщение на потребителя).",
    },
    "banned": {
        "en": "User {id} is banned.",
        "ru": "Пользователь {id} заблокирован.",
        "bg": "Потребител {id} е блокиран.",
    },
    "unbanned": {
        "en": "User {id} is unbanned.",
        "ru": "Пользователь {id} разблокирован.",
        "bg": "Потребител {id} е отблокиран.",
    },
    # -- command menu (plain text, no HTML) -----------------------------------------------------------
    "cmd_ask": {
        "en": "Ask who said what",
        "ru": "Спросить, кто что сказал",
        "bg": "Попитай кой какво е казал",
    },
    "cmd_subscribe": {
        "en": "Follow a person or a word",
        "ru": "Следить за человеком или словом",
        "bg": "Следи човек или дума",
    },
    "cmd_unsubscribe": {"en": "Stop following", "ru": "Отписаться", "bg": "Спри да следиш"},
    "cmd_subscriptions": {"en": "What this chat follows", "ru": "Подписки чата", "bg": "Абонаменти на чата"},
    "cmd_digest": {"en": "When to send news", "ru": "Когда присылать новости", "bg": "Кога да пращам новини"},
    "cmd_timezone": {"en": "Set the time zone", "ru": "Часовой пояс", "bg": "Часова зона"},
    "cmd_lang": {"en": "Language", "ru": "Язык", "bg": "Език"},
    "cmd_help": {"en": "Help", "ru": "Помощь", "bg": "Помощ"},
    "cmd_start": {"en": "Start", "ru": "Начало", "bg": "Начало"},
}

MESSAGES: Mapping[str, Mapping[str, str]] = _M


def t(lang: str, key: str, **values: object) -> Html:
    """The message `key` in `lang` (English when missing), with every value escaped unless it is `Html`."""
    forms = MESSAGES[key]
    template = forms.get(lang) or forms[DEFAULT_LANG]
    safe = {k: v if isinstance(v, Html) else esc(v) for k, v in values.items()}
    return Html(template.format(**safe))


def plain(lang: str, key: str) -> str:
    """A message as plain text (for command descriptions and button labels); no HTML allowed there."""
    forms = MESSAGES[key]
    return forms.get(lang) or forms[DEFAULT_LANG]
