"""Gap-free serials per organization and year (索引号, archive numbers, notice 文号)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import ArchiveCounter, IndexCounter, NoticeCounter

Counter = type[IndexCounter] | type[ArchiveCounter] | type[NoticeCounter]


async def next_serial(session: AsyncSession, counter: Counter, organization_id: int, year: int) -> int:
    """The next serial of ``counter`` for the organization and year: the counter row is bumped in
    the caller's transaction (the UPDATE locks the row until commit; a rollback undoes it)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    values = {"organization_id": organization_id, "year": year, "last_serial": 0}
    ensure = (postgresql if dialect == "postgresql" else sqlite).insert(counter).values(**values)
    await session.execute(ensure.on_conflict_do_nothing())
    bumped = await session.execute(
        update(counter)
        .where(counter.organization_id == organization_id, counter.year == year)
        .values(last_serial=counter.last_serial + 1)
        .returning(counter.last_serial)
    )
    return int(bumped.scalar_one())
