"""gongkai serve | migrate | demo | create-user | import-units | import-catalog | export | audit | grant-app-role |
print-schema | trusted-documents"""

from __future__ import annotations

import argparse
import asyncio
import getpass
from pathlib import Path

from api.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent


def _alembic_config(settings: Settings):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return config


def migrate(settings: Settings) -> None:
    from alembic import command

    if settings.database_url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(_alembic_config(settings), "heads")


async def _with_session(settings: Settings, work):  # type: ignore[no-untyped-def]
    from api.auth.actor import SystemActor
    from api.auth.enforcer import Authorizer
    from api.auth.passwords import passwords_for
    from api.db import make_engine, make_sessionmaker

    engine = make_engine(settings.database_url)
    try:
        actor = SystemActor(authorizer=Authorizer(engine, settings.policy_dir), client_addr="cli")
        async with make_sessionmaker(engine, passwords_for(settings.password_hash))() as session:
            return await work(session, actor)
    finally:
        await engine.dispose()


def demo(settings: Settings, if_empty: bool) -> None:
    from api.demo import is_empty, load_demo

    async def work(session, actor):  # type: ignore[no-untyped-def]
        if not await is_empty(session):
            if if_empty:
                print("数据库已有数据，跳过演示数据。")
                return
            raise SystemExit("数据库已有数据：演示数据只能装入空数据库。")
        from api.privacy import Vault
        from api.storage import open_storage

        vault = Vault(settings.data_key or settings.secret_key)
        counts = await load_demo(session, actor, open_storage(settings), settings.files_dir / "tmp", vault)
        print(f"已装入演示数据：{counts}")

    asyncio.run(_with_session(settings, work))


def process_photos(settings: Settings) -> None:
    """Photos stored before their metadata was removed: cleaned and given their sizes (api/photos.py)."""
    from api.services import documents
    from api.storage import open_storage

    async def work(session, actor):  # type: ignore[no-untyped-def]
        done, skipped = await documents.process_stored_photos(
            session, actor, open_storage(settings), settings.files_dir / "tmp"
        )
        print(f"已处理照片附件 {done} 个（去除元数据与位置信息，生成缩略图）；无法读取而保持原样的文件 {skipped} 个。")

    asyncio.run(_with_session(settings, work))


def create_user(settings: Settings, args: argparse.Namespace) -> None:
    from api.errors import UserInputError
    from api.models import Role
    from api.services import accounts

    password = args.password or getpass.getpass("密码: ")

    async def work(session, actor):  # type: ignore[no-untyped-def]
        user = await accounts.create_user(
            session,
            actor,
            username=args.username,
            display_name=args.display_name or args.username,
            password=password,
            organization_id=args.organization_id,
        )
        if args.role:
            await accounts.grant_role(
                session,
                actor,
                user_id=user.id,
                role=Role(args.role),
                unit_code=args.unit_code,
                organization_id=args.organization_id if not args.unit_code else None,
            )
        print(f"已建立用户 {user.username}（编号 {user.id}）")

    try:
        asyncio.run(_with_session(settings, work))
    except UserInputError as exc:
        raise SystemExit(f"{exc.field}: {exc.message}") from exc


def import_units(settings: Settings, path: Path) -> None:
    from api.errors import UserInputError
    from api.services import units

    text = path.read_text(encoding="utf-8-sig")

    async def work(session, actor):  # type: ignore[no-untyped-def]
        try:
            result = await units.import_units(session, actor, units.parse_units_csv(text))
        except UserInputError:
            await session.rollback()
            raise
        await session.commit()
        return result

    try:
        result = asyncio.run(_with_session(settings, work))
    except UserInputError as exc:
        raise SystemExit(f"导入失败，未写入任何数据。{exc.message}") from exc
    print(f"导入完成：新建 {result.created}，更新 {result.updated}，未变 {result.unchanged}")


def import_catalog(settings: Settings, path: Path, unit_code: str) -> None:
    from api.errors import UserInputError
    from api.services import catalog

    async def work(session, actor):  # type: ignore[no-untyped-def]
        with path.open("rb") as source:
            return await catalog.import_catalog(session, actor, unit_code=unit_code, source=source)

    try:
        count = asyncio.run(_with_session(settings, work))
    except catalog.ImportFailed as failed:
        lines = "\n".join(e.message for e in failed.errors)
        raise SystemExit(f"导入失败，未写入任何数据：\n{lines}") from failed
    except UserInputError as exc:
        raise SystemExit(f"导入失败，未写入任何数据。{exc.message}") from exc
    print(f"导入完成：{count} 项目录事项")


def export_report(settings: Settings, report: str, pairs: list[str], out: Path | None) -> None:
    from api.errors import UserInputError
    from api.services.reports.export import export

    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"参数应写成 key=value：{pair}")
        params[key.strip()] = value.strip()

    async def work(session, actor):  # type: ignore[no-untyped-def]
        return await export(session, actor, report, params)

    try:
        result = asyncio.run(_with_session(settings, work))
    except UserInputError as exc:
        raise SystemExit(f"导出失败：{exc.message}") from exc
    target = out or Path(result.filename)
    target.write_bytes(result.content)
    print(f"已导出：{target}")


def audit_verify(settings: Settings, file: Path | None) -> None:
    from api.services import audit

    async def work(session, _actor):  # type: ignore[no-untyped-def]
        return await (audit.verify_file(session, file) if file else audit.verify(session))

    result = asyncio.run(_with_session(settings, work))
    what = f"归档文件 {file.name}" if file else "审计日志"
    if not result.intact:
        raise SystemExit(f"{what}在 #{result.broken_at} 处断开：{result.reason}（此前 {result.rows} 行完好）")
    span = f"（#{result.first_id}–#{result.last_id}）" if result.rows else ""
    print(f"{what}完整：共 {result.rows} 行{span}，哈希链无断点。")


def audit_archive(settings: Settings, out: Path | None) -> None:
    from datetime import timedelta

    from api.localtime import now
    from api.services import audit

    before = now() - timedelta(days=settings.audit_retention_days)
    directory = out or settings.audit_archive_dir

    async def work(session, actor):  # type: ignore[no-untyped-def]
        return await audit.archive(session, actor, before=before, directory=directory)

    try:
        done = asyncio.run(_with_session(settings, work))
    except audit.ArchiveRefused as exc:
        raise SystemExit(exc.message) from exc
    if done is None:
        print(f"没有早于 {before:%Y-%m-%d} 的审计记录（保留 {settings.audit_retention_days} 天），无需归档。")
        return
    print(
        f"已归档 #{done.first_id}–#{done.last_id}（{done.rows} 行）至 {done.path}，SHA-256 {done.sha256}；"
        "请将该文件另行备份保存。"
    )


APP_ROLE_GRANTS = [
    "GRANT USAGE ON SCHEMA public TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    # the audit trail: INSERT and SELECT only (the triggers refuse the rest to the owner as well)
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_archives FROM {role}",
    "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
]


def grant_app_role(settings: Settings, role: str) -> None:
    """PostgreSQL: let ``role`` (not the owner) run the application; audit tables INSERT and SELECT only."""
    import re

    from sqlalchemy import text

    from api.db import make_engine

    if not settings.database_url.startswith("postgresql"):
        raise SystemExit("gongkai grant-app-role 只用于 PostgreSQL（SQLite 没有数据库角色）")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise SystemExit(f"角色名 {role!r} 无效：小写字母、数字、下划线，以字母或下划线开头")

    async def run() -> None:
        engine = make_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                owner = await conn.scalar(
                    text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'audit_log'")
                )
                if owner == role:
                    raise SystemExit(f"{role} 是表的所有者：应用须用另一个角色连接（所有者可以停用触发器）")
                for statement in APP_ROLE_GRANTS:
                    await conn.execute(text(statement.format(role=f'"{role}"')))
        finally:
            await engine.dispose()

    asyncio.run(run())
    print(
        f"已授权 {role}：各表读写，audit_log 与 audit_archives 只能 INSERT 和 SELECT。应用用 {role} 连接，迁移与归档用所有者。"
    )


def serve(hosts: list[str], port: int, workers: int) -> None:
    from api.server import serve as run

    if workers < 1:
        raise SystemExit("gongkai: --workers 至少为 1")
    run(hosts, port, workers)


def deliver_webhooks(settings: Settings, loop: bool) -> None:
    """Send the due webhook deliveries once (or every GONGKAI_WEBHOOK_INTERVAL_SECONDS with --loop)."""
    from api.db import make_engine, make_sessionmaker
    from api.services.channels import delivery

    async def run() -> int:
        engine = make_engine(settings.database_url)
        try:
            sessions = make_sessionmaker(engine)
            if loop:
                await delivery.run_forever(sessions, settings)
            return await delivery.deliver_due(sessions, settings)
        finally:
            await engine.dispose()

    print(f"已尝试推送 {asyncio.run(run())} 条")


def print_schema() -> None:
    from schema import schema

    print(schema.as_str())


def trusted_documents() -> None:
    from schema.trusted import build_manifest, render_manifest

    print(render_manifest(build_manifest()), end="")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gongkai", description="公开 Gongkai: 政务公开 GraphQL backend")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="serve GraphQL (default: 127.0.0.1 and ::1, port 8000)")
    p.add_argument("--host", action="append", help="repeat for several addresses")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    sub.add_parser("migrate", help="run the Alembic migrations")
    p = sub.add_parser("demo", help="load the demo data into an empty database")
    p.add_argument("--if-empty", action="store_true", help="do nothing if there is data already")
    p = sub.add_parser("create-user", help="create a user, optionally with a role")
    p.add_argument("username")
    p.add_argument("--display-name")
    p.add_argument("--password", help="prompted for when absent")
    p.add_argument("--organization-id", type=int)
    p.add_argument(
        "--role",
        choices=[
            "district_office",
            "editor",
            "reviewer",
            "approver",
            "foi_officer",
            "village_poster",
            "auditor",
            "kiosk",
        ],
    )
    p.add_argument("--unit-code", help="where the role holds (default: the organization, or everywhere)")
    p = sub.add_parser("import-units", help="import the statistics bureau's code list (CSV: code,name[,urban-rural])")
    p.add_argument("file", type=Path)
    p = sub.add_parser("import-catalog", help="import catalog items from an xlsx file into a county's catalog")
    p.add_argument("file", type=Path)
    p.add_argument("--unit-code", required=True, help="the county (12-digit code)")
    p = sub.add_parser("export", help="export a report: gongkai export monthly-report organizationId=17 month=2026-11")
    p.add_argument("report")
    p.add_argument("params", nargs="*", help="key=value; format=xlsx or format=md")
    p.add_argument("--out", type=Path)
    p = sub.add_parser("audit", help="the audit trail: verify the hash chain, archive rows past the retention")
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    q = audit_sub.add_parser("verify", help="check the hash chain; names the first row where it breaks")
    q.add_argument("--file", type=Path, help="check an archive file instead (against its archive record)")
    q = audit_sub.add_parser("archive", help="export rows older than GONGKAI_AUDIT_RETENTION_DAYS, then delete them")
    q.add_argument(
        "--out", type=Path, help="directory of the JSON-lines files (default: $GONGKAI_VAR_DIR/audit-archive)"
    )
    p = sub.add_parser("grant-app-role", help="PostgreSQL: grant a role what the app needs (audit log: INSERT, SELECT)")
    p.add_argument("role")
    p = sub.add_parser("deliver-webhooks", help="send the webhook deliveries that are due (once, or --loop)")
    p.add_argument("--loop", action="store_true")
    sub.add_parser(
        "process-photos", help="remove EXIF/GPS from photos stored before it was done on upload, and make their sizes"
    )
    sub.add_parser("print-schema", help="print the GraphQL SDL")
    sub.add_parser(
        "trusted-documents",
        help="print the manifest of the front ends' documents by hash (> clients/trusted-documents.json)",
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise SystemExit(f"gongkai: {exc}") from exc
    if args.command == "serve":
        serve(args.host or ["127.0.0.1", "::1"], args.port, args.workers)
    elif args.command == "migrate":
        migrate(settings)
    elif args.command == "demo":
        demo(settings, args.if_empty)
    elif args.command == "create-user":
        create_user(settings, args)
    elif args.command == "import-units":
        import_units(settings, args.file)
    elif args.command == "import-catalog":
        import_catalog(settings, args.file, args.unit_code)
    elif args.command == "export":
        export_report(settings, args.report, args.params, args.out)
    elif args.command == "audit" and args.audit_command == "verify":
        audit_verify(settings, args.file)
    elif args.command == "audit" and args.audit_command == "archive":
        audit_archive(settings, args.out)
    elif args.command == "grant-app-role":
        grant_app_role(settings, args.role)
    elif args.command == "deliver-webhooks":
        deliver_webhooks(settings, args.loop)
    elif args.command == "process-photos":
        process_photos(settings)
    elif args.command == "print-schema":
        print_schema()
    elif args.command == "trusted-documents":
        trusted_documents()


if __name__ == "__main__":
    main()
