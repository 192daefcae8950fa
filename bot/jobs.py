"""Scheduled jobs (source polling, digests, the outbox sender), rebuilt from the database at start.

Owned by the coverage-watch work; `bot/app.py` calls `install(application)` from `post_init`.
"""

from __future__ import annotations

from typing import Any


async def install(application: Any) -> None:
    """Register the recurring jobs on the application's JobQueue (none until coverage watch lands)."""
    return None
