"""Name search across scripts: places by their names in other languages, English spellings of transcribed
names, typos, and people who only share a surname."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.services import Services, close_services
from tests._engine_fixtures import seeded_services

ARTICLES = {
    "farage.txt": "Лидерът на партията Найджъл Фараж говори пред привърженици в Лондон.\n"
    "Фараж заяви, че ще се кандидатира отново.\n",
    "paris.txt": "Переговоры прошли в Париже.\nДелегации приехали в Париж в понедельник.\n",
    "johnson.txt": "Премиерът Борис Джонсън пристигна в Брюксел.\nДжонсън се срещна с министри.\n",
    "fox_ashley.txt": "Евродепутатът Ашли Фокс коментира сделката.\nФокс беше кратък.\n",
    "fox_liam.txt": "Министърът на търговията Лиам Фокс замина за Вашингтон.\nФокс ще води преговори.\n",
    "fokus.txt": "Агенция Фокус съобщи новината.\nСпоред Фокус срещата е отложена.\n",
}


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    files = []
    for name, text in ARTICLES.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        files.append(path)
    svc = await seeded_services(tmp_path / "names.sqlite3", files)
    yield svc
    await close_services(svc)


async def _found(services: Services, query: str) -> set[str]:
    return {Path(h.article.source).name for h in await services.engine.search_articles(query, limit=None)}


async def test_city_in_another_language(services: Services) -> None:
    assert await _found(services, "Paris") == {"paris.txt"}
    assert "paris.txt" in await _found(services, "Париж")


async def test_english_spelling_of_a_transcribed_name(services: Services) -> None:
    assert await _found(services, "Nigel Farage") == {"farage.txt"}
    assert await _found(services, "Farage") == {"farage.txt"}


async def test_transposition_typo(services: Services) -> None:
    assert await _found(services, "Boris Jonhson") == {"johnson.txt"}
    assert "johnson.txt" in await _found(services, "Brusesls")


async def test_surname_clash_is_not_a_match(services: Services) -> None:
    assert await _found(services, "Liam Fox") == {"fox_liam.txt"}
    assert await _found(services, "Ashley Fox") == {"fox_ashley.txt"}
    assert "fokus.txt" not in await _found(services, "Fox")
