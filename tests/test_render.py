"""Pure rendering: escaping, answer cards, UTF-16 splitting, signed callback data, messages in 3 languages."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.context import RateLimiter
from bot.i18n import LANGS, MESSAGES, Html, pick_lang, t
from bot.render import (
    CallbackCodec,
    CallbackError,
    PagingButtons,
    answer_card,
    answer_page,
    esc,
    html_to_terminal,
    split_html,
    telegram_html_errors,
    utf16_len,
)
from news.answer_model import Answer, AnswerItem, ArticleRef, SpeakerRef

HOSTILE = '<b>x</b> & "q" <script>alert(1)</script> &amp; </a> <a href="javascript:x">'


def ref(n: int = 1, *, title: str = "Title", url: str | None = "https://e.example/a?x=1&y=2") -> ArticleRef:
    return ArticleRef(
        id=n, title=title, url=url, source="feed", lang="ru", published="2024-11-01T10:00:00+00:00"
    )


def item(text: str = "We stand firm.", speaker: str | None = "Сергей Лавров", **kw: object) -> AnswerItem:
    return AnswerItem(
        kind="quote", text=text, article=kw.pop("article", ref()), score=1.0, speaker=speaker, **kw
    )  # type: ignore[arg-type]


def test_escape_order_and_quotes() -> None:
    assert esc('a & <b> "c"') == "a &amp; &lt;b&gt; &quot;c&quot;"
    assert esc("&amp;") == "&amp;amp;"


def test_t_escapes_values_but_not_html() -> None:
    assert t("en", "subscribed", name="<b>X</b> & Y") == (
        "Subscribed to <b>&lt;b&gt;X&lt;/b&gt; &amp; Y</b>. "
        "You will get news about them by your digest setting (/digest)."
    )
    assert "<i>ok</i>" in t("en", "add_rejected", reason=Html("<i>ok</i>"))


def test_every_message_exists_in_every_language_and_is_valid_html() -> None:
    for key, forms in MESSAGES.items():
        assert set(forms) == set(LANGS), key
        names = {frozenset(re.findall(r"{(\w+)}", form)) for form in forms.values()}
        assert len(names) == 1, f"{key}: placeholders differ between languages"
        for form in forms.values():
            values = {name: HOSTILE for name in re.findall(r"{(\w+)}", form)}
            assert not telegram_html_errors(form.format(**{k: esc(v) for k, v in values.items()})), key


def test_language_choice() -> None:
    assert pick_lang(None, "ru-RU") == "ru"
    assert pick_lang("bg", "ru") == "bg"
    assert pick_lang(None, "de") == "en"
    assert pick_lang(None, None) == "en"


def test_card_has_bold_speaker_quote_link_language_date_and_all_sources() -> None:
    card = answer_card(item(also_in=(ref(2, title="Second & co"), ref(3, url=None))), "en")
    assert card.startswith("<b>Сергей Лавров</b>\n«We stand firm.»")
    assert '<a href="https://e.example/a?x=1&amp;y=2">Title</a> · ru · 2024-11-01' in card
    assert "Second &amp; co" in card and "Also reported by:" in card
    assert card.count("— ") == 3
    assert not telegram_html_errors(card)


def test_card_escapes_everything_and_refuses_unsafe_links() -> None:
    card = answer_card(item(HOSTILE, HOSTILE, article=ref(title=HOSTILE, url='javascript:alert("x")')), "en")
    assert not telegram_html_errors(card)
    assert "<script>" not in card and "javascript:" not in card.split("href")[0]
    assert 'href="javascript' not in card


def test_page_fits_and_pages_with_buttons() -> None:
    codec = CallbackCodec.from_token("123:abc" * 5)
    long_quote = "Долгая цитата о важном. " * 400
    answer = Answer(
        question="что сказал Лавров?",
        intent="quotes",
        speaker=SpeakerRef(1, "Сергей Лавров"),
        answers=tuple(item(long_quote, also_in=tuple(ref(i) for i in range(30))) for _ in range(7)),
    )
    paging = PagingButtons(codec, chat_id=5, question_id=9)
    first = answer_page(answer, "ru", per_page=3, paging=paging)
    assert first.pages == 3 and utf16_len(first.text) <= 4096 and not telegram_html_errors(first.text)
    assert first.keyboard is not None
    labels = [b.text for b in first.keyboard.inline_keyboard[0]]
    assert labels == ["1/3", "▶"]
    last = answer_page(answer, "ru", page=2, per_page=3, paging=paging)
    assert [b.text for b in last.keyboard.inline_keyboard[0]] == ["◀", "3/3"]  # type: ignore[union-attr]
    assert "Ответы 7–7 из 7" in last.text


def test_empty_answers_say_why() -> None:
    nothing = answer_page(Answer(question="<b>zzz</b>", intent="search", note="nothing_found"), "en")
    assert "&lt;b&gt;zzz&lt;/b&gt;" in nothing.text and nothing.keyboard is None
    assert answer_page(Answer(question="", intent="none", note="empty_question"), "bg").text == t(
        "bg", "ask_empty"
    )


# -- splitting -------------------------------------------------------------------------------------


def test_split_prefers_sentences_and_never_cuts_tags() -> None:
    text = "<b>" + " ".join(f"Sentence number {i} is here." for i in range(600)) + "</b>"
    parts = split_html(text, 1000)
    assert len(parts) > 1
    for part in parts:
        assert utf16_len(part) <= 1000
        assert not telegram_html_errors(part)
        assert part.startswith("<b>") and part.endswith("</b>")
        assert part[:-4].endswith(".")  # cut after a sentence


def test_split_counts_utf16_units_for_emoji_and_astral_chars() -> None:
    text = "😀🇧🇬𝔘 " * 2000  # astral characters take two UTF-16 units each
    parts = split_html(text, 4096)
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert len(parts) == -(-utf16_len(text.strip()) // 4096) or len(parts) == -(-utf16_len(text) // 4096) + 1
    assert "".join(parts).replace(" ", "") == text.replace(" ", "")
    for part in parts:  # no lone surrogates
        part.encode("utf-16-le")


def test_split_keeps_entities_and_links_whole() -> None:
    text = "a&amp;b " * 1000 + '<a href="https://x.example/?q=1&amp;r=2">' + "link text " * 500 + "</a>"
    parts = split_html(text, 700)
    for part in parts:
        assert utf16_len(part) <= 700 and not telegram_html_errors(part), part[:80]
    assert "".join(re.sub(r"<[^>]+>", "", p) for p in parts).replace(" ", "") == re.sub(
        r"<[^>]+>", "", text
    ).replace(" ", "")


def test_split_a_word_longer_than_the_limit() -> None:
    parts = split_html("x" * 10_000)
    assert [utf16_len(p) for p in parts] == [4000, 4000, 2000] or all(utf16_len(p) <= 4096 for p in parts)
    assert "".join(parts) == "x" * 10_000


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "b", "i", "a", "blockquote", "code"]),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300),
        ),
        max_size=40,
    ),
    st.integers(min_value=120, max_value=4096),
)
def test_split_always_valid_and_within_limit(chunks: list[tuple[str, str]], limit: int) -> None:
    html = ""
    for tag, text in chunks:
        body = esc(text)
        if tag == "a":
            html += f'<a href="https://e.example/">{body}</a>'
        elif tag:
            html += f"<{tag}>{body}</{tag}>"
        else:
            html += body
    parts = split_html(html, limit)
    for part in parts:
        assert utf16_len(part) <= limit
        assert not telegram_html_errors(part), (part, telegram_html_errors(part))
        assert part.strip()


# -- callback data ---------------------------------------------------------------------------------


def test_callback_round_trip_short_and_bound_to_chat() -> None:
    codec = CallbackCodec.from_token("123456789:" + "A" * 35)
    data = codec.encode(-1001234567890123, "p", 123456789, 12)
    assert len(data.encode()) <= 64
    decoded = codec.decode(-1001234567890123, data)
    assert decoded.action == "p" and decoded.int_arg(0) == 123456789 and decoded.int_arg(1) == 12
    with pytest.raises(CallbackError) as other_chat:
        codec.decode(5, data)
    assert other_chat.value.reason == "forged"


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda d: d.replace("|p|", "|u|"), "forged"),
        (lambda d: d[:-1] + ("A" if d[-1] != "A" else "B"), "forged"),
        (lambda d: "2" + d[1:], "version"),
        (lambda d: "", "malformed"),
        (lambda d: "garbage", "malformed"),
        (lambda d: d + "x" * 64, "malformed"),
    ],
)
def test_callback_forgery_is_refused(mangle: object, reason: str) -> None:
    codec = CallbackCodec.from_token("123456789:" + "A" * 35)
    data = codec.encode(7, "p", 1, 2)
    with pytest.raises(CallbackError) as refused:
        codec.decode(7, mangle(data))  # type: ignore[operator]
    assert refused.value.reason == reason


def test_another_key_refuses() -> None:
    data = CallbackCodec.from_token("1:" + "A" * 35).encode(7, "u", 3)
    with pytest.raises(CallbackError):
        CallbackCodec.from_token("1:" + "B" * 35).decode(7, data)


def test_callback_arguments_are_checked() -> None:
    codec = CallbackCodec.from_token("1:" + "A" * 35)
    with pytest.raises(ValueError):
        codec.encode(7, "p", "a|b")
    with pytest.raises(ValueError):
        codec.encode(7, "p", *["x" * 20] * 3)


# -- the rest --------------------------------------------------------------------------------------


def test_terminal_rendering_is_readable() -> None:
    shown = html_to_terminal(
        '<b>Лавров</b>\n«a &lt; b &amp; c»\n— <a href="https://x.example/">Title</a> · ru'
    )
    assert shown == "*Лавров*\n«a < b & c»\n— Title [https://x.example/] · ru"


def test_rate_limiter_window() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.check(1) == 0 and limiter.check(1) == 0
    assert limiter.check(1) > 0
    assert limiter.check(2) == 0
    now[0] = 61.0
    assert limiter.check(1) == 0


def test_validator_catches_what_telegram_refuses() -> None:
    assert telegram_html_errors("a < b")
    assert telegram_html_errors("<b>x</i>")
    assert telegram_html_errors("<div>x</div>")
    assert telegram_html_errors("&nbsp;")
    assert telegram_html_errors("<b>open")
    assert not telegram_html_errors('<b>a</b> &lt;&gt;&amp;&quot; <a href="https://x/">y</a>')
