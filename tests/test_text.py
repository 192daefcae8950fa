"""Language detection, noise lines, sentence and passage splitting, URL canonicalisation."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from news.langdetect import detect_language
from news.noise import is_noise_line
from news.textsplit import split_passages, split_sentences
from news.urls import canonical_url
from tests.conftest import SEEDS, SHARED


@pytest.mark.parametrize(
    ("name", "lang"), [("ru_nur_kz_kndr_military_aid.txt", "ru"), ("bg_choe_lavrov_moscow.txt", "bg")]
)
def test_seed_languages(name: str, lang: str) -> None:
    assert detect_language((SEEDS / name).read_text(encoding="utf-8")) == lang


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_xquad_paragraphs(lang: str) -> None:
    data = json.loads((SHARED / "eval" / "xquad" / f"xquad.{lang}.json").read_text(encoding="utf-8"))
    contexts = [p["context"] for a in data["data"] for p in a["paragraphs"]]
    wrong = [c[:60] for c in contexts if detect_language(c) != lang]
    assert len(contexts) == 240 and not wrong


def test_short_texts() -> None:
    assert detect_language("Той каза, че ще дойде утре.") == "bg"
    assert detect_language("Он сказал, что придёт завтра.") == "ru"
    assert detect_language("He said he would come tomorrow.") == "en"
    assert detect_language("Він сказав, що прийде завтра і ще раз і ще.") == "other"
    assert detect_language("12345 !!!") == "other"


@pytest.mark.parametrize(
    "line",
    [
        "Още: Сеул твърди нещо важно",
        "Читайте также: новости дня",
        "Read more: what happened next",
        "Подпишитесь на наш Telegram!",
        "Подписаться",
        "Something happened today pic.twitter.com/AbCdEf123",
        "— NOELREPORTS 🇪🇺 (@NOELreports) November 1, 2024",
        "Опубликовано:",
    ],
)
def test_noise_lines(line: str) -> None:
    assert is_noise_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Министр заявил, что подписка на облигации открыта до понедельника, и призвал инвесторов спешить.",
        "Още един голям пожар избухна в понеделник.",
        "Лавров приветства тесните връзки между двете страни.",
        "",
    ],
)
def test_story_lines_are_not_noise(line: str) -> None:
    assert not is_noise_line(line)


def test_sentences_respect_initials_and_abbreviations() -> None:
    text = "В. Путин прибыл в г. Москву. Он сказал: «Всё хорошо». Mr. Smith agreed! Next one?"
    sentences = [s.text for s in split_sentences(text)]
    assert sentences == [
        "В. Путин прибыл в г. Москву.",
        "Он сказал: «Всё хорошо».",
        "Mr. Smith agreed!",
        "Next one?",
    ]


@given(st.text(max_size=3000))
def test_split_offsets_always_exact(text: str) -> None:
    for span in split_sentences(text) + split_passages(text, max_chars=80):
        assert text[span.start : span.end] == span.text
        assert span.text.strip() == span.text and span.text


def test_passages_do_not_cross_paragraphs() -> None:
    text = "One. Two.\nThree. Four."
    assert [p.text for p in split_passages(text)] == ["One. Two.", "Three. Four."]


def test_canonical_url() -> None:
    assert (
        canonical_url("HTTP://WWW.Example.org/a/b/?utm_source=x&b=2&a=1#frag")
        == "https://example.org/a/b?a=1&b=2"
    )
    assert canonical_url("javascript:alert(1)") is None
    assert canonical_url("not a url") is None
    assert canonical_url("https://example.org:99999/") is None
