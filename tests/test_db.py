"""api/db.py: the session that runs one statement at a time."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from api.models import Domain


async def test_serial_session_scalars_and_concurrent_statements(session: Any) -> None:
    codes = list(await asyncio.wait_for(session.scalars(select(Domain.code)), 10))
    assert len(codes) == 26
    both = await asyncio.wait_for(
        asyncio.gather(session.scalars(select(Domain.code)), session.execute(select(Domain.name))), 10
    )
    assert len(list(both[0])) == 26 and len(both[1].all()) == 26
