"""Acceptance of the answer engine over the two seed articles, plus aliases, dedup and robustness."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services import Services, close_services
from news.answer_model import Answer
from news.names import phrase_key
from news.quotes import extract_quotes
from tests._engine_fixtures import SEEDS, seeded_services


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    s = await seeded_services(tmp_path / "engine.sqlite3")
    yield s
    await close_services(s)


def _seed_speakers() -> dict[str, str | None]:
    """Quote text → speaker as the extractor reads the seeds (the truth the engine must respect)."""
    out: dict[str, str | None] = {}
    for path in SEEDS.glob("*.txt"):
        for q in extract_quotes(path.read_text(encoding="utf-8")):
            out[q.text] = q.speaker
    return out


def _langs(answer: Answer) -> set[str]:
    return {a.article.lang for a in answer.answers}


@pytest.mark.parametrize(
    "question", ["what did Lavrov say?", "Что сказал Лавров?", "Какво каза Лавров?", "Lavorv"]
)
async def test_lavrov_quotes_from_both_articles_and_nobody_else(services: Services, question: str) -> None:
    answer = await services.engine.ask(question)
    assert answer.intent == "quotes"
    assert answer.speaker is not None and "lavrov" in phrase_key(answer.speaker.name, "ru")
    assert _langs(answer) == {"ru", "bg"}
    speakers = _seed_speakers()
    for item in answer.answers:
        assert item.kind in ("quote", "statement")
        said_by = speakers.get(item.text)
        assert said_by is not None and "lavrov" in phrase_key(said_by, item.article.lang), item.text
    attributions = {a.attribution for a in answer.answers}
    assert "role" in attributions  # "сказал российский министр"
    assert "pronoun" in attributions  # "каза той"


async def test_choe_before_and_after_alias(services: Services) -> None:
    before = await services.engine.ask("what did Choe Son Hui say?")
    assert before.intent == "quotes"
    assert _langs(before) == {"bg"}
    ref = await services.engine.add_alias("Choe Son Hui", "Цой Сон Хи")
    assert "Цой Сон Хи" in ref.aliases
    after = await services.engine.ask("what did Choe Son Hui say?")
    assert _langs(after) == {"ru", "bg"}
    assert ("Choe Son Hui", "Цой Сон Хи", "admin") in [
        (c if c == "Choe Son Hui" else "Choe Son Hui", a, o)
        for c, a, o in await services.engine.list_aliases()
    ]
    same = await services.engine.ask("Что сказала Цой Сон Хи?")
    assert _langs(same) == {"ru", "bg"}
    assert await services.engine.remove_alias("Цой Сон Хи") == 1
    again = await services.engine.ask("what did Choe Son Hui say?")
    assert _langs(again) == {"bg"}


async def test_unattributed_quotes_are_never_given_to_anyone(services: Services) -> None:
    rows = await services.db.fetchall("SELECT text FROM quotes WHERE entity_id IS NULL")
    unattributed = {str(r[0]) for r in rows}
    assert unattributed  # e.g. the scare quotes around single words
    for question in ("what did Lavrov say?", "what did Choe Son Hui say?", "Что сказал Путин?"):
        answer = await services.engine.ask(question)
        assert not unattributed & {a.text for a in answer.answers}


async def test_person_without_quotes_gets_mentions(services: Services) -> None:
    answer = await services.engine.ask("Что сказал Ким Чен Ын?")
    assert answer.note == "no_quotes"
    assert answer.answers and all(a.kind == "passage" for a in answer.answers)
    assert all("Ким Чен Ын" in a.text for a in answer.answers)


async def test_nothing_found_is_said_plainly(services: Services) -> None:
    for question in ("what did Angela Merkel say?", "quantum chromodynamics lattice gauge"):
        answer = await services.engine.ask(question)
        assert answer.intent == "none"
        assert answer.note == "nothing_found"
        assert not answer.answers


async def test_free_question_returns_passages(services: Services) -> None:
    answer = await services.engine.ask("Сколько солдат из Северной Кореи находятся на полигонах?")
    assert answer.intent == "search"
    assert answer.answers[0].kind == "passage"
    assert "1500" in answer.answers[0].text


async def test_same_quote_in_two_articles_is_shown_once(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("Министр Иван Петров выступил в Софии.\n«Мы не отступим ни на шаг», — заявил Иван Петров.\n")
    b.write_text("Визит в Софию.\nИван Петров заявил: «Мы не отступим ни на шаг».\nОн уехал вечером.\n")
    services = await seeded_services(tmp_path / "dedup.sqlite3", [a, b])
    try:
        answer = await services.engine.ask("what did Ivan Petrov say?")
        texts = [x.text for x in answer.answers if "отступим" in x.text]
        assert len(texts) == 1
        item = next(x for x in answer.answers if "отступим" in x.text)
        assert len(item.also_in) == 1 and item.also_in[0].id != item.article.id
    finally:
        await close_services(services)


async def test_entities_and_resolution(services: Services) -> None:
    matches = await services.engine.resolve_entities("Sergey Lavrov")
    assert matches and "lavrov" in phrase_key(matches[0].name, "ru")
    article_ids = {h.article.id for h in await services.engine.search_articles("Lavrov", limit=None)}
    assert len(article_ids) == 2
    for aid in article_ids:
        assert matches[0].entity_id in await services.engine.entities_in_article(aid)


async def test_reindex_keeps_answers_and_admin_aliases(services: Services) -> None:
    await services.engine.add_alias("Choe Son Hui", "Цой Сон Хи")
    assert await services.engine.reindex() == 2
    answer = await services.engine.ask("what did Choe Son Hui say?")
    assert _langs(answer) == {"ru", "bg"}


_NASTY = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            '"',
            "*",
            "NEAR(a b)",
            "a AND b",
            "OR",
            "NOT x",
            "-x",
            "(",
            ")",
            "^",
            "a:b",
            "{body}:x",
            "<b>Лавров</b>",
            "\x00",
            "\ufeff",
            "🇰🇵",
            'Что сказал "*"?',
            "what did ( say?",
        ]
    ),
    st.lists(
        st.sampled_from(['"', "*", "NEAR", "AND", "OR", "NOT", "-", "(", ")", "Lavrov", "Лавров", ":"]),
        max_size=12,
    ).map(" ".join),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=_NASTY)
async def test_ask_and_search_never_raise(services: Services, question: str) -> None:
    answer = await services.engine.ask(question)
    assert answer.intent in ("quotes", "search", "none")
    if answer.intent == "none":
        assert not answer.answers and answer.note
    await services.engine.search_articles(question, limit=None)


async def test_huge_question(services: Services) -> None:
    for size in (100_000, 3000):
        text = ('Лавров NEAR "*" ' * (size // 15))[:size]
        answer = await services.engine.ask(text)
        assert answer.intent in ("quotes", "search", "none")
        await services.engine.search_articles(text)


# ---------------------------------------------------------------------------------- who said it, any spelling

PEOPLE = {
    "farage.txt": "Лидерът на партията Найджъл Фараж говори пред привърженици в Лондон.\n"
    "„Ще се кандидатирам отново“, каза Фараж пред журналисти.\n",
    "zelensky_ru.txt": "Президент Украины Владимир Зеленский выступил в Киеве.\n"
    "«Мы будем защищать каждый город», — заявил Зеленский журналистам.\n",
    "zelensky_bg.txt": "Президентът на Украйна Володимир Зеленски пристигна в София.\n"
    "„Благодарим на България за подкрепата“, каза Зеленски.\n",
    "zelensky_gen.txt": "Министры обсудили речь Зеленского на саммите в Брюсселе.\n"
    "Слова Зеленского вызвали споры.\n",
    "johnson.txt": "Премиерът Борис Джонсън пристигна в Брюксел.\n"
    "„Сделката е добра за всички“, каза Джонсън след срещата.\n",
    "fox_ashley.txt": "Евродепутатът Ашли Фокс коментира сделката в Страсбург.\n"
    "„Това е стъпка напред“, каза Ашли Фокс.\n",
    "fox_liam.txt": "Министърът на търговията Лиам Фокс замина за Вашингтон.\n"
    "„Ще подпишем споразумение до есента“, заяви Лиам Фокс.\n",
}


@pytest.fixture
async def people(tmp_path: Path) -> AsyncIterator[Services]:
    files = []
    for name, text in PEOPLE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(tmp_path / name)
    s = await seeded_services(tmp_path / "people.sqlite3", files)
    yield s
    await close_services(s)


def _sources(answer: Answer) -> set[str]:
    return {Path(a.article.source).name for a in answer.answers}


async def test_english_spelling_finds_the_quotes_of_a_transcribed_name(people: Services) -> None:
    answer = await people.engine.ask("what did Farage say?")
    assert answer.intent == "quotes" and answer.speaker is not None
    assert "Фараж" in answer.speaker.name
    assert [a.text for a in answer.answers] == ["Ще се кандидатирам отново"]


async def test_spellings_and_case_forms_resolve_to_one_person(people: Services) -> None:
    found = set()
    queries = ("Zelenskyy", "Zelensky", "Зеленски", "Зеленского", "Volodymyr Zelensky", "Владимир Зеленский")
    for query in queries:
        matches = await people.engine.resolve_entities(query)
        assert len(matches) == 1, (query, matches)
        assert matches[0].kind == "PER" and 90 <= matches[0].score <= 100
        assert "Украйна" not in matches[0].name  # "на Украйна Володимир Зеленски" names the person only
        found.add(matches[0].entity_id)
    assert len(found) == 1
    for question in ("what did Zelenskyy say?", "Что сказал Зеленский?", "Какво каза Зеленски?"):
        answer = await people.engine.ask(question)
        assert _sources(answer) == {"zelensky_ru.txt", "zelensky_bg.txt"}, question


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("what did Lavorv say?", "bg_choe_lavrov_moscow.txt"),
        ("Jonhson", "johnson.txt"),
        ("what did Jonhson say?", "johnson.txt"),
        ("Какво каза Джонсън?", "johnson.txt"),
        ("what did Boris Johnson say?", "johnson.txt"),
    ],
)
async def test_typos_and_other_scripts(people: Services, question: str, source: str) -> None:
    answer = await people.engine.ask(question)
    assert answer.intent == "quotes"
    assert source in _sources(answer)
    assert answer.speaker is not None and answer.speaker.kind == "PER"


async def test_typo_resolves_with_a_lower_score(people: Services) -> None:
    matches = await people.engine.resolve_entities("Jonhson")
    assert [m.name for m in matches] == ["Борис Джонсън"]
    assert 75 <= matches[0].score < 90  # the bot asks "did you mean" rather than subscribing at once


async def test_first_names_tell_people_who_share_a_surname_apart(people: Services) -> None:
    liam = await people.engine.resolve_entities("Liam Fox")
    assert [m.name for m in liam] == ["Лиам Фокс"]
    assert _sources(await people.engine.ask("what did Liam Fox say?")) == {"fox_liam.txt"}
    assert _sources(await people.engine.ask("what did Ashley Fox say?")) == {"fox_ashley.txt"}
    assert not await people.engine.resolve_entities("Peter Fox")


async def test_a_shared_surname_gives_every_candidate(people: Services) -> None:
    matches = await people.engine.resolve_entities("Fox")
    names = [m.name for m in matches]
    assert len(matches) == 2 and any("Лиам" in n for n in names) and any("Ашли" in n for n in names)
    assert abs(matches[0].score - matches[1].score) < 10  # not clear: the bot offers both
    # a who-said question takes one of them, never a mix of their quotes
    assert len(_sources(await people.engine.ask("what did Fox say?"))) == 1


# ---------------------------------------------------------------------------------- entity linking

NEWS = {
    "a.txt": "Почему Байден молчит?\nСейчас Байден в отпуске, сообщили в Белом доме.\n",
    "b.txt": "Президент США Джо Байден выступил с речью.\n«Мы справимся», — сказал Байден журналистам.\n",
    "c.txt": "Сын президента Хантер Байден получил помилование.\n"
    "«Я благодарен отцу», — заявил Хантер Байден.\n",
    "d.txt": "Сейчас Путин проводит совещание.\nВладимир Путин подписал указ в Кремле.\n",
}


async def test_sentence_starts_make_no_entities_and_full_names_win(tmp_path: Path) -> None:
    files = []
    for name, text in NEWS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(tmp_path / name)
    services = await seeded_services(tmp_path / "news.sqlite3", files)
    try:
        engine = services.engine
        names = [m.name for m in await engine.resolve_entities("Путин")]
        assert names == ["Владимир Путин"]
        biden = [m.name for m in await engine.resolve_entities("Байден")]
        assert biden[0] == "Джо Байден" and not any(n.startswith(("Почему", "Сейчас")) for n in biden)
        hunter = await engine.resolve_entities("Хантер Байден")
        assert hunter[0].name.startswith("Хантер") and hunter[0].score == 100
        joe = await engine.resolve_entities("Джо Байден")
        assert [m.name for m in joe][:1] == ["Джо Байден"] and joe[0].entity_id != hunter[0].entity_id
        rows = await services.db.fetchall("SELECT name FROM entities")
        assert not any(str(r[0]).split()[0] in ("Почему", "Сейчас", "Президент", "Сын") for r in rows)
    finally:
        await close_services(services)
