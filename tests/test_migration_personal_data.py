"""Migration 0008 seals the addresses and e-mails stored before it, and leaves none in clear in the file."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from alembic import command

from api.cli import _alembic_config
from api.privacy import Vault
from api.settings import DEV_SECRET, Settings

ADDRESS = "四川省凉山州会理县古城街道北关路88号"
EMAIL = "zhangsan.applicant@example.com"


def _request(con: sqlite3.Connection, id_: int, address: str, email: str) -> None:
    columns = [r[1] for r in con.execute("PRAGMA table_info(info_requests)")]
    row = dict.fromkeys(columns)
    row.update(
        id=id_, tracking_code=f"YS{id_:010d}", password_hash="h", channel="ONLINE", applicant_type="NATURAL_PERSON",
        applicant_name="张三", address=address, email=email, description="低保资金", purpose="", delivery_form="PAPER",
        receiving_org_id=1, handling_org_id=1, scope_path="513425", status="RECEIVED", received_on="2026-01-05",
        clock_start="2026-01-05", extension_days=0, due_on="2026-02-02", due_provisional=0, demo=0,
        created_at="2026-01-05 01:00:00", version=1,
    )  # fmt: skip
    con.execute(
        f"INSERT INTO info_requests ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
    )


async def test_existing_addresses_and_emails_are_sealed_and_can_be_brought_back(
    tmp_path: Path, monkeypatch: object
) -> None:
    for name in ("GONGKAI_DATA_KEY", "GONGKAI_SECRET_KEY", "GONGKAI_ENV"):
        monkeypatch.delenv(name, raising=False)  # type: ignore[attr-defined]
    database = tmp_path / "old.sqlite3"
    config = _alembic_config(Settings(database_url=f"sqlite+aiosqlite:///{database}", var_dir=tmp_path))
    await asyncio.to_thread(command.upgrade, config, "0007")
    with closing(sqlite3.connect(database)) as con, con:  # foreign keys off: the rows need no organization
        _request(con, 1, ADDRESS, EMAIL)
        _request(con, 2, "", "")
        con.execute(
            "INSERT INTO info_request_events (id, request_id, kind, on_date, actor_name, comment, data, created_at) "
            "VALUES (1, 1, 'RECEIVED', '2026-01-05', '系统', '', '{}', '2026-01-05 01:00:00')"
        )
    await asyncio.to_thread(command.upgrade, config, "0008")

    with closing(sqlite3.connect(database)) as con:
        con.row_factory = sqlite3.Row
        rows = [dict(r) for r in con.execute("SELECT * FROM info_requests ORDER BY id")]
        assert con.execute("SELECT count(*) FROM info_request_events").fetchone()[0] == 1
    assert "address" not in rows[0] and "email" not in rows[0]
    vault = Vault(DEV_SECRET)  # the key the server would use with these settings
    assert (vault.open(rows[0]["address_enc"]), vault.open(rows[0]["email_enc"])) == (ADDRESS, EMAIL)
    assert (rows[0]["address_hint"], rows[0]["email_hint"]) == ("四川省凉山州****", "zh***@example.com")
    assert [rows[1][k] for k in ("address_enc", "address_hint", "email_enc", "email_hint")] == [None] * 4
    for part in tmp_path.glob("old.sqlite3*"):  # the database and, if any is left, its write-ahead log
        raw = part.read_bytes()
        assert ADDRESS.encode() not in raw and EMAIL.encode() not in raw, part.name

    await asyncio.to_thread(command.downgrade, config, "0007")
    with closing(sqlite3.connect(database)) as con:
        assert con.execute("SELECT address, email FROM info_requests ORDER BY id").fetchall() == [
            (ADDRESS, EMAIL),
            ("", ""),
        ]
