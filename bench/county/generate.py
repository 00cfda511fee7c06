"""County-scale data for the benchmark: one county, 30 towns, 300 villages, 100 organizations, N
published public documents (default 100,000) and 0.3 × N attachments, in a PostgreSQL database of
its own (``gongkai_bench_<N>``).

    .venv/bin/python -m bench.county.generate --documents 10000

The schema comes from the project's migrations (``gongkai migrate``). The hierarchy, the
organizations, the domain assignments and the benchmark's district-office account are made through
the services, as an operator would (so their scope paths, credit codes and grants are the
project's own). The documents are written in bulk with PostgreSQL COPY (asyncpg), column by column
from the models' tables (``api.models``), as publication leaves them: a published first version as
the current version, the 索引号 from the organization's scheme (``format_index_no``) and serial
(``index_counters``), ``document_search`` holding the tokens that ``api.services.search`` makes
(``tokenize``; checked against ``text_tokens`` on a sample of the documents).

The data depend on the seed and N only: the same arguments give the same rows. A database whose
``bench.meta`` row matches (N, seed, generator version) is reused as it is; any other database of
that name is dropped and made anew (only names starting with ``gongkai_bench_``).
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
GENERATOR_VERSION = "1"
DEFAULT_SEED = 12
BENCH_PASSWORD = "Bench-County-2026"
OFFICE_USERNAME = "bench_office"
DEFAULT_SERVER = "postgresql://gongkai:gongkai@127.0.0.1:5432"
FIRST_YEAR, LAST_DAY = 2016, date(2026, 11, 30)
ATTACHMENTS_PER_DOCUMENT = 0.3


def database_name(documents: int) -> str:
    return f"gongkai_bench_{documents // 1000}k" if documents % 1000 == 0 else f"gongkai_bench_{documents}"


def dsn_for(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def sqlalchemy_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


# --- the database itself ---


async def _meta(dsn: str) -> dict[str, Any] | None:
    try:
        conn = await asyncpg.connect(dsn)
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        if not await conn.fetchval("SELECT to_regclass('bench.meta') IS NOT NULL"):
            return {}
        row = await conn.fetchrow("SELECT * FROM bench.meta")
        return dict(row) if row else {}
    finally:
        await conn.close()


async def _recreate(server: str, name: str) -> None:
    if not name.startswith("gongkai_bench_"):
        raise SystemExit(f"refusing to drop {name!r}: only gongkai_bench_* databases are the benchmark's")
    conn = await asyncpg.connect(dsn_for(server, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def matches(meta: dict[str, Any] | None, documents: int, seed: int) -> bool:
    return bool(meta) and (meta["documents"], meta["seed"], meta["generator"]) == (documents, seed, GENERATOR_VERSION)  # type: ignore[index]


def migrate(dsn: str) -> None:
    env = {**os.environ, "GONGKAI_DATABASE_URL": sqlalchemy_url(dsn)}
    subprocess.run([sys.executable, "-m", "api.cli", "migrate"], cwd=ROOT, env=env, check=True)


# --- the hierarchy, organizations, domains and accounts, through the services ---


@dataclass
class Org:
    id: int
    name: str
    path: str
    credit_code: str | None
    index_scheme: str | None
    level: str  # county, town, village
    domains: list[str]
    weight: float
    model: Any = None


@dataclass
class Structure:
    county_code: str
    orgs: list[Org]
    domains: dict[str, tuple[int, str]]  # code -> (id, name)
    village_code: str  # a village with its own committee: the kiosk page
    town_code: str
    office_user_id: int
    extra: dict[str, Any] = field(default_factory=dict)


async def build_structure(dsn: str, seed: int) -> Structure:
    from api.auth.actor import SystemActor
    from api.auth.enforcer import Authorizer
    from api.auth.passwords import passwords_for
    from api.db import make_engine, make_sessionmaker
    from api.demo import demo_credit_code
    from api.models import Domain, OrganizationKind, Role, UnitKind
    from api.services import accounts, domains, units
    from api.services.units import ProfileInput
    from api.settings import Settings

    from . import text

    rng = random.Random(f"{seed}:structure")
    settings = Settings.from_env({**os.environ, "GONGKAI_DATABASE_URL": sqlalchemy_url(dsn)})
    engine = make_engine(settings.database_url)
    actor = SystemActor(authorizer=Authorizer(engine, settings.policy_dir), client_addr="bench")
    serial = 0
    orgs: list[Org] = []
    try:
        async with make_sessionmaker(engine, passwords_for(settings.password_hash))() as session:

            async def org(unit_code: str, name: str, kind: str, level: str, doms: list[str], weight: float) -> Org:
                nonlocal serial
                serial += 1
                made = await units.create_organization(
                    session, actor, unit_code=unit_code, name=name, kind=OrganizationKind[kind],
                    credit_code=demo_credit_code(unit_code, serial), demo=True,
                    profile=ProfileInput(
                        functions=f"{name}依法履行的职能（基准测试数据）", address=f"{name}办公地址（基准测试数据）",
                        office_hours="工作日 9:00-12:00, 14:30-18:00", phone="0834-0000000", head="",
                    ),
                )  # fmt: skip
                _, _, path = await units.locate_organization(session, made.id)
                found = Org(made.id, made.name, path, made.credit_code, made.index_scheme, level, doms, weight, made)
                orgs.append(found)
                return found

            county = text.COUNTY_CODE
            await units.create_unit(session, actor, code=county, name=text.COUNTY_NAME, kind=UnitKind.XIAN, demo=True)
            stems = text.village_names(300, rng)
            town_codes: list[str] = []
            village_codes: list[list[str]] = []
            for t, (town_name, kind) in enumerate(text.TOWNS):
                code = f"{county[:6]}{100 + t:03d}000"
                await units.create_unit(session, actor, code=code, name=town_name, kind=UnitKind[kind], demo=True)
                town_codes.append(code)
                villages = []
                for v in range(10):
                    jiedao = kind == "JIEDAO"
                    vcode = f"{code[:9]}{(1 if jiedao else 200) + v:03d}"
                    vname = stems[t * 10 + v] + ("社区" if jiedao else "村")
                    vkind = UnitKind.SHEQU if jiedao else UnitKind.CUN
                    await units.create_unit(session, actor, code=vcode, name=vname, kind=vkind, demo=True)
                    villages.append(vcode)
                village_codes.append(villages)
            # 40 county organizations (a few publish much more than the others), 30 town
            # governments, and 30 village committees (the first village of each town).
            for i, (name, kind, doms) in enumerate(text.COUNTY_ORGS):
                await org(county, text.COUNTY_NAME + name, kind, "county", doms, 0.65 / (1 + i * 0.08))
            for t, (town_name, _kind) in enumerate(text.TOWNS):
                await org(town_codes[t], f"{town_name}人民政府", "TOWN_GOVERNMENT", "town", text.TOWN_DOMAINS, 1.0)
            for t in range(len(text.TOWNS)):
                unit = await units.get_unit(session, village_codes[t][0])
                suffix = "居民委员会" if unit.name.endswith("社区") else "村民委员会"
                await org(village_codes[t][0], unit.name + suffix, "VILLAGE_COMMITTEE", "village", text.VILLAGE_DOMAINS, 1.0)  # fmt: skip
            # Shares of the documents: county 65 %, towns 25 %, villages 10 %.
            for level, share in (("county", 0.65), ("town", 0.25), ("village", 0.10)):
                group = [o for o in orgs if o.level == level]
                total = sum(o.weight for o in group)
                for o in group:
                    o.weight = share * o.weight / total
            assigned: set[str] = set()
            for o in orgs:
                if o.level != "county":
                    continue
                for code in o.domains:
                    if code not in assigned:
                        await domains.assign_domain(
                            session, actor, domain_code=code, unit_code=county, organization_id=o.id
                        )
                        assigned.add(code)
            office = await accounts.create_user(
                session, actor, username=OFFICE_USERNAME, display_name="基准测试县政务公开办",
                password=BENCH_PASSWORD, organization_id=orgs[0].id, demo=True,
            )  # fmt: skip
            await accounts.grant_role(session, actor, user_id=office.id, role=Role.DISTRICT_OFFICE, unit_code=county)
            rows = (await session.execute(sa.select(Domain.code, Domain.id, Domain.name))).all()
            domain_map = {code: (id_, name) for code, id_, name in rows}
            return Structure(
                county_code=county, orgs=orgs, domains=domain_map, village_code=village_codes[2][0],
                town_code=town_codes[2], office_user_id=office.id,
            )  # fmt: skip
    finally:
        await engine.dispose()


# --- rows, column by column from the models ---


def _default(column: sa.Column[Any]) -> Any:
    default = column.default
    if default is None:
        return None
    if getattr(default, "is_scalar", False):
        return default.arg  # type: ignore[attr-defined]
    if getattr(default, "is_callable", False):
        return default.arg(None)  # type: ignore[attr-defined]
    raise ValueError(f"{column}: cannot fill default {default!r}")


class TableRows:
    """Records for COPY into one model's table: the given values, else the column's Python default.

    A column neither given nor defaulted in Python is left out (the database default, or NULL);
    one that is NOT NULL without any default is an error, so a new required column fails loudly."""

    def __init__(self, table: sa.Table, given: Iterable[str]) -> None:
        self.table = table
        given = set(given)
        self.columns: list[sa.Column[Any]] = []
        for column in table.columns:
            if column.computed is not None:
                continue
            if column.name in given or column.default is not None:
                self.columns.append(column)
            elif column.server_default is None and not column.nullable and not column.primary_key:
                raise SystemExit(f"{table.name}.{column.name} is required and the generator does not fill it")
        self.names = [c.name for c in self.columns]
        self.defaults = {c.name: c for c in self.columns if c.name not in given}

    def record(self, values: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for column in self.columns:
            value = values[column.name] if column.name in values else _default(column)
            out.append(_to_db(column, value))
        return tuple(out)


def _to_db(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.Enum) and isinstance(value, enum.Enum):
        # Non-native enums store the member's name (SQLAlchemy's default without values_callable).
        stored = value.name
        assert stored in kind.enums, (column, stored)
        return stored
    if isinstance(kind, sa.JSON):
        return json.dumps(value, ensure_ascii=False)
    return value


# --- the documents ---

_PIECES = re.compile(r"[\s，。；：、“”《》（）！？]+")


class Tokens:
    """``api.services.search.tokenize`` over a document's fields, cached per piece of text.

    jieba cuts a text in runs of word characters and treats every run apart, so cutting at the
    punctuation and whitespace first gives the same tokens; ``text_tokens`` checks that on a sample."""

    def __init__(self) -> None:
        from api.services import search

        search._TOKENIZER.initialize()
        self.tokenize = search.tokenize
        self.text_tokens = search.text_tokens
        self.with_characters = search.with_characters
        self.cache: dict[str, list[str]] = {}
        self.checked = 0

    def _of(self, text: str) -> list[str]:
        out: list[str] = []
        for piece in _PIECES.split(text):
            if not piece:
                continue
            words = self.cache.get(piece)
            if words is None:
                words = self.cache[piece] = self.tokenize(piece)
            out.extend(words)
        return out

    def of(self, title: str, summary: str, body: str, check: bool) -> str:
        tokens = self.with_characters(" ".join(self._of(title) + self._of(summary) + self._of(body)))
        if check:
            from api.models import BodyFormat

            expected = self.text_tokens(title, summary, body, BodyFormat.TEXT)
            if tokens != expected:
                raise SystemExit(f"token mismatch for {title!r}:\n{tokens[:300]}\n{expected[:300]}")
            self.checked += 1
        return tokens


def _publication_times(rng: random.Random, n: int) -> list[datetime]:
    from api.localtime import CHINA

    years = list(range(FIRST_YEAR, LAST_DAY.year + 1))
    weights = [1 + 0.25 * (y - FIRST_YEAR) for y in years]  # more every year
    out = []
    for year in rng.choices(years, weights, k=n):
        start = date(year, 1, 1)
        end = min(date(year, 12, 31), LAST_DAY)
        day = start + timedelta(days=rng.randrange((end - start).days + 1))
        minute = rng.randrange(8 * 60 + 30, 18 * 60)
        local = datetime.combine(day, dtime(minute // 60, minute % 60, rng.randrange(60)), CHINA)
        out.append(local.astimezone(UTC))
    out.sort()
    return out


def _chunks(items: Iterator[tuple[Any, ...]], size: int = 5000) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def write_documents(dsn: str, s: Structure, n: int, seed: int, log: Any) -> dict[str, int]:
    from api.localtime import local_date
    from api.models import (
        Attachment,
        BodyFormat,
        DisclosureAttribute,
        Document,
        DocumentKind,
        DocumentSearch,
        DocumentStatus,
        DocumentVersion,
        IndexCounter,
        Validity,
        VersionStatus,
    )
    from api.services.documents.numbering import format_index_no, parse_doc_number
    from api.workdays import add_working_days

    from . import text

    rng = random.Random(f"{seed}:documents:{n}")
    writer = text.Writer(rng)
    tokens = Tokens()
    check_every = max(1, n // 200)
    times = _publication_times(rng, n)
    orgs = s.orgs
    cum: list[float] = []
    acc = 0.0
    for o in orgs:
        acc += o.weight
        cum.append(acc)
    town_names = {o.path.rsplit("/", 1)[0]: o.name.removesuffix("人民政府") for o in orgs if o.level == "town"}
    domain_codes = sorted(s.domains)
    serials: dict[tuple[int, int], int] = {}
    doc_cols = TableRows(
        Document.__table__,  # type: ignore[arg-type]
        ["id", "kind", "publisher_id", "scope_path", "status", "is_policy", "public", "index_no", "index_year",
         "index_serial", "first_published_at", "published_at", "interpretation_due", "interpretation_due_provisional",
         "demo", "version", "created_at", "updated_at"],
    )  # fmt: skip
    version_cols = TableRows(
        DocumentVersion.__table__,  # type: ignore[arg-type]
        ["id", "document_id", "number", "status", "title", "summary", "body", "body_format", "issuing_organization_id",
         "issuing_name", "doc_number", "doc_number_agency", "doc_number_year", "doc_number_serial", "written_on",
         "topic", "genre", "keywords", "domain_id", "attribute", "attribute_reason", "validity", "channels",
         "created_at", "published_at"],
    )  # fmt: skip
    search_cols = TableRows(
        DocumentSearch.__table__,  # type: ignore[arg-type]
        ["document_id", "tokens", "head", "published_at", "scope_path", "updated_at"],
    )
    attachment_cols = TableRows(
        Attachment.__table__,  # type: ignore[arg-type]
        ["id", "document_id", "version_id", "filename", "content_type", "size", "sha256", "position", "created_at"],
    )
    counter_cols = TableRows(IndexCounter.__table__, ["id", "organization_id", "year", "last_serial"])  # type: ignore[arg-type]

    docs: list[tuple[Any, ...]] = []
    versions: list[tuple[Any, ...]] = []
    search_rows: list[tuple[Any, ...]] = []
    titles: list[str] = []
    started = time.monotonic()
    for i, published in enumerate(times):
        doc_id = i + 1
        org = orgs[min(len(orgs) - 1, _bisect(cum, rng.random() * acc))]
        if org.domains and rng.random() < 0.85:
            domain = org.domains[rng.randrange(len(org.domains))]
        else:
            domain = domain_codes[rng.randrange(len(domain_codes))]
        domain_id, domain_name = s.domains[domain]
        day = local_date(published)
        place = {
            "county": text.COUNTY_NAME,
            "town": org.name.removesuffix("人民政府"),
            "village": org.name.removesuffix("村民委员会").removesuffix("居民委员会"),
        }[org.level]
        if org.level == "village":
            place = town_names.get(org.path.rsplit("/", 2)[0], "") + place
        content = writer.write(domain, domain_name, org.name, place, day.year, day.month)
        kind_roll = rng.random()
        if org.level == "village":
            kind = DocumentKind.NOTICE
        elif kind_roll < 0.05:
            kind = DocumentKind.POLICY_INTERPRETATION
        elif kind_roll < 0.25:
            kind = DocumentKind.NOTICE
        else:
            kind = DocumentKind.GOVERNMENT_INFO
        is_policy = kind is DocumentKind.GOVERNMENT_INFO and content.genre == "通知" and rng.random() < 0.3
        key = (org.id, day.year)
        serials[key] = serial = serials.get(key, 0) + 1
        index_no = format_index_no(org.index_scheme, org.model, day.year, serial)
        due, provisional = add_working_days(day, 3) if is_policy else (None, False)
        doc_number = None
        if content.genre in ("通知", "报告") and org.level != "village" and rng.random() < 0.6:
            agency = org.name.removeprefix(text.COUNTY_NAME)[:2]
            doc_number = parse_doc_number(f"{text.SHORT}{agency}发〔{day.year}〕{serial}号")
        partial = rng.random() < 0.08
        created = published - timedelta(days=rng.randrange(1, 15), minutes=rng.randrange(600))
        body = "\n".join(content.paragraphs)
        docs.append(
            doc_cols.record(
                dict(id=doc_id, kind=kind, publisher_id=org.id, scope_path=org.path, status=DocumentStatus.PUBLISHED,
                     is_policy=is_policy, public=True, index_no=index_no, index_year=day.year, index_serial=serial,
                     first_published_at=published, published_at=published, interpretation_due=due,
                     interpretation_due_provisional=provisional, demo=True, version=5, created_at=created,
                     updated_at=published)
            )
        )  # fmt: skip
        versions.append(
            version_cols.record(
                dict(id=doc_id, document_id=doc_id, number=1, status=VersionStatus.PUBLISHED, title=content.title,
                     summary=content.summary, body=body, body_format=BodyFormat.TEXT, issuing_organization_id=org.id,
                     issuing_name=org.name, doc_number=doc_number.text if doc_number else None,
                     doc_number_agency=doc_number.agency if doc_number else None,
                     doc_number_year=doc_number.year if doc_number else None,
                     doc_number_serial=doc_number.serial if doc_number else None,
                     written_on=(created - timedelta(days=rng.randrange(0, 5))).date(),
                     topic=text.TOPICS.get(domain, "综合政务"), genre=content.genre, keywords=content.keywords,
                     domain_id=domain_id,
                     attribute=DisclosureAttribute.PARTIAL if partial else DisclosureAttribute.PROACTIVE,
                     attribute_reason="涉及个人隐私的内容已作技术处理" if partial else None, validity=Validity.VALID,
                     channels=["政府网站", "政务公开专区"], created_at=created, published_at=published)
            )
        )  # fmt: skip
        search_rows.append(
            search_cols.record(
                dict(document_id=doc_id, tokens=tokens.of(content.title, content.summary, body, i % check_every == 0),
                     head=tokens.of(content.title, content.summary, "", i % check_every == 0), published_at=published,
                     scope_path=org.path, updated_at=published)
            )
        )  # fmt: skip
        titles.append(content.title)
        if (i + 1) % 20000 == 0:
            log(f"  {i + 1} documents made ({time.monotonic() - started:.0f} s, {len(tokens.cache)} pieces cut)")
    attachments: list[tuple[Any, ...]] = []
    positions: dict[int, int] = {}
    for a, doc_index in enumerate(sorted(rng.choices(range(n), k=round(n * ATTACHMENTS_PER_DOCUMENT)))):
        doc_id = doc_index + 1
        position = positions[doc_id] = positions.get(doc_id, -1) + 1
        ext, content_type = text.ATTACHMENT_KINDS[rng.randrange(len(text.ATTACHMENT_KINDS))]
        name = text.ATTACHMENT_NAMES[rng.randrange(len(text.ATTACHMENT_NAMES))]
        filename = f"附件{position + 1}：{titles[doc_index][:30]}{name}.{ext}"
        attachments.append(
            attachment_cols.record(
                dict(id=a + 1, document_id=doc_id, version_id=doc_id, filename=filename, content_type=content_type,
                     size=rng.randrange(20_000, 5_000_000),
                     sha256=hashlib.sha256(f"{seed}:{n}:{a}".encode()).hexdigest(), position=position,
                     created_at=times[doc_index] - timedelta(days=1))
            )
        )  # fmt: skip
    counters = [
        counter_cols.record(dict(id=k + 1, organization_id=org_id, year=year, last_serial=last))
        for k, ((org_id, year), last) in enumerate(sorted(serials.items()))
    ]
    log(
        f"  made {n} documents in {time.monotonic() - started:.0f} s "
        f"({len(tokens.cache)} distinct pieces cut, {tokens.checked} checked against text_tokens)"
    )

    conn = await asyncpg.connect(dsn)
    try:
        started = time.monotonic()
        async with conn.transaction():
            for table, cols, records in (
                ("documents", doc_cols, docs),
                ("document_versions", version_cols, versions),
                ("document_search", search_cols, search_rows),
                ("attachments", attachment_cols, attachments),
                ("index_counters", counter_cols, counters),
            ):
                for chunk in _chunks(iter(records)):
                    await conn.copy_records_to_table(table, records=chunk, columns=cols.names)
            # The version is written after its document (each refers to the other): publication's
            # last step, current_version_id, in one statement.
            await conn.execute("UPDATE documents SET current_version_id = id")
            for table in ("documents", "document_versions", "attachments", "index_counters"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        log(f"  copied in {time.monotonic() - started:.0f} s")
        started = time.monotonic()
        # The UPDATE left a dead copy of every document row: rewrite the table, then statistics
        # and visibility maps for all (as autovacuum would leave them in a steady state).
        await conn.execute("VACUUM FULL documents")
        await conn.execute("VACUUM ANALYZE")
        log(f"  vacuumed in {time.monotonic() - started:.0f} s")
    finally:
        await conn.close()
    return {"documents": n, "attachments": len(attachments), "index_counters": len(counters)}


def _bisect(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum)
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo


async def _write_meta(dsn: str, n: int, seed: int, s: Structure, seconds: float) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE SCHEMA IF NOT EXISTS bench")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS bench.meta (documents int, seed int, generator text, county_code text, "
            "town_code text, village_code text, office_username text, generated_at timestamptz, seconds real)"
        )
        await conn.execute("DELETE FROM bench.meta")
        await conn.execute(
            "INSERT INTO bench.meta VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8)",
            n, seed, GENERATOR_VERSION, s.county_code, s.town_code, s.village_code, OFFICE_USERNAME, seconds,
        )  # fmt: skip
    finally:
        await conn.close()


async def ensure(server: str, documents: int, seed: int = DEFAULT_SEED, force: bool = False, log: Any = print) -> str:
    """The DSN of a generated database for ``documents``: reused when its meta row matches."""
    name = database_name(documents)
    dsn = dsn_for(server, name)
    meta = await _meta(dsn)
    if not force and matches(meta, documents, seed):
        log(f"reusing {name}: {documents} documents, seed {seed}, generated {meta['generated_at']:%Y-%m-%d %H:%M}")  # type: ignore[index]
        migrate(dsn)  # to the migrations of this checkout (new indexes, tables)
        return dsn
    started = time.monotonic()
    log(f"generating {name}: {documents} documents, seed {seed}")
    await _recreate(server, name)
    migrate(dsn)
    structure = await build_structure(dsn, seed)
    log(f"  structure through the services: {len(structure.orgs)} organizations ({time.monotonic() - started:.0f} s)")
    await write_documents(dsn, structure, documents, seed, log)
    seconds = time.monotonic() - started
    await _write_meta(dsn, documents, seed, structure, seconds)
    log(f"generated {name} in {seconds:.0f} s")
    return dsn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_PG", DEFAULT_SERVER), help="PostgreSQL URL, no database"
    )
    parser.add_argument("--force", action="store_true", help="make the database anew even if it matches")
    args = parser.parse_args(argv)
    print(asyncio.run(ensure(args.server, args.documents, args.seed, args.force)))


if __name__ == "__main__":
    main()
