"""Helpers shared by the answer engine tests: services over a temporary database with the seeds ingested."""

from __future__ import annotations

from pathlib import Path

from bot.services import Services, build_services
from bot.settings import load_settings

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "corpus" / "seeds"


async def seeded_services(db_path: Path, extra: list[Path] | None = None) -> Services:
    """Services on a fresh database with the two seed articles (and `extra` files) ingested."""
    services = await build_services(load_settings(database_path=db_path), db_path=db_path)
    report = await services.ingest.ingest_paths([SEEDS, *(extra or [])])
    assert len(report.added) >= 2
    return services
