"""The `demo` fixture: load_demo runs once per session; each test gets the rows back exactly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from .conftest import DemoTemplate, GraphQLClient, data_tables, empty_tables


async def snapshot(engine: Any) -> dict[str, Any]:
    """Every row of every emptied table, the search index, and (PostgreSQL) the id sequences."""
    rows: dict[str, Any] = {}
    async with engine.connect() as conn:
        for table in data_tables():
            keys = ", ".join(c.name for c in table.primary_key.columns)
            rows[table.name] = (await conn.execute(text(f"SELECT * FROM {table.name} ORDER BY {keys}"))).all()
        if engine.dialect.name == "postgresql":
            found = "SELECT document_id FROM document_search WHERE tsv @@ to_tsquery('simple', '公开') ORDER BY 1"
            sequences = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
            rows["sequences"] = (await conn.execute(text(sequences))).all()
        else:
            found = "SELECT rowid FROM document_search_fts WHERE document_search_fts MATCH '公开' ORDER BY 1"
        rows["search"] = (await conn.execute(text(found))).all()
    return rows


async def test_demo_is_restored_exactly(app: Any, demo: None, demo_template: DemoTemplate, gql: GraphQLClient) -> None:
    engine = app.state.engine
    before = await snapshot(engine)
    assert len(before["users"]) == 11 and before["documents"] and before["info_requests"] and before["search"]
    await gql.login("admin", "Gongkai-Demo-2026")  # changes the audit log
    async with engine.begin() as conn:
        await empty_tables(conn)
    await demo_template.restore()
    assert await snapshot(engine) == before
    await gql.login("admin", "Gongkai-Demo-2026")  # the restored accounts sign in
