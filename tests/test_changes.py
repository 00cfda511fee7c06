"""Change counters (api/changes.py): a change bumps its topic in its own transaction, and only then."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from api.changes import ACCOUNTS, CONTENT, QUIET, read_versions, topics_of
from api.models import AdminUnit, Base, Organization, UnitKind, UnitLevel
from api.services import accounts, audit, units

from .conftest import GraphQLClient
from .documents_fixtures import make_desk, publish


async def versions(app: Any) -> dict[str, int]:
    async with app.state.gongkai.sessionmaker() as s:
        return await read_versions(s)


def test_every_table_has_its_topics() -> None:
    assert topics_of("documents") == (CONTENT,)
    assert topics_of("organization_contacts") == (CONTENT,)
    assert topics_of("users") == (ACCOUNTS, CONTENT)
    assert topics_of("casbin_rule") == (ACCOUNTS,)
    assert topics_of("audit_log") == topics_of("user_sessions") == topics_of("login_throttle") == ()
    tables = set(Base.metadata.tables)
    assert QUIET - {"change_counters"} <= tables, "a quiet table that does not exist"


async def test_the_migration_seeds_both_topics(app: Any) -> None:
    assert set(await versions(app)) == {CONTENT, ACCOUNTS}


async def test_a_publication_bumps_content_once_per_transaction(
    app: Any, gql: GraphQLClient, session: Any, system: Any, make_user: Any, statement_counter: Any
) -> None:
    desk = await make_desk(session, system, make_user)
    before = await versions(app)
    statement_counter.start()
    await publish(gql, desk)
    statements = statement_counter.statements[:]
    statement_counter.stop()
    after = await versions(app)
    assert after[CONTENT] > before[CONTENT]
    assert after[ACCOUNTS] == before[ACCOUNTS]
    bumps = [s for s in statements if s.lstrip().upper().startswith("UPDATE CHANGE_COUNTERS")]
    # create, submit, three review steps: one bump each, each its transaction's last statement before COMMIT
    assert len(bumps) == 5, bumps


async def test_rollback_bumps_nothing(app: Any, session: Any) -> None:
    before = await versions(app)
    session.add(
        AdminUnit(code="513425000000", name="会理县", level=UnitLevel.COUNTY, kind=UnitKind.XIAN, scope_path="513425")
    )
    await session.flush()
    await session.rollback()
    assert await versions(app) == before


async def test_a_bulk_update_bumps_content(app: Any, session: Any, system: Any) -> None:
    await units.create_unit(session, system, code="513425000000", name="会理县", kind=UnitKind.XIAN)
    before = await versions(app)
    await session.execute(update(Organization).where(Organization.id == -1).values(name="无"))
    await session.commit()
    assert (await versions(app))[CONTENT] == before[CONTENT] + 1


async def test_audit_rows_alone_bump_nothing(app: Any, session: Any, system: Any) -> None:
    before = await versions(app)
    audit.record(session, system, "test.note", "User", None, None, "只记一笔")
    await session.commit()
    assert await versions(app) == before


async def test_a_deactivation_bumps_accounts(app: Any, session: Any, system: Any) -> None:
    user = await accounts.create_user(
        session, system, username="clerk", display_name="clerk", password="test-password-1", organization_id=None
    )
    before = await versions(app)
    await accounts.deactivate_user(session, system, user_id=user.id)
    after = await versions(app)
    assert after[ACCOUNTS] == before[ACCOUNTS] + 1
    assert after[CONTENT] == before[CONTENT] + 1  # names of users may be shown
