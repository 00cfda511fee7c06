"""Every setting, read from GONGKAI_* environment variables, with embedded defaults."""

from __future__ import annotations

import ipaddress
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

DEV_SECRET = "gongkai-development-secret-not-for-production"
# api/auth/passwords.py: "default" is argon2-cffi's parameters; "fast" the cheapest argon2id, for tests only.
PASSWORD_HASH_PROFILES = ("default", "fast")


class SettingsError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


_ORIGIN = re.compile(r"(https?)://(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::([0-9]{1,5}))?")


def parse_cors_origins(value: str) -> tuple[str, ...]:
    """GONGKAI_CORS_ORIGINS: comma-separated origins, each scheme://host[:port] as a browser sends it."""
    origins: list[str] = []
    for item in value.split(","):
        origin = item.strip().lower()
        if not origin:
            continue
        match = _ORIGIN.fullmatch(origin)
        if match is None or (match.group(3) is not None and not 0 < int(match.group(3)) < 65536):
            raise SettingsError(
                f"GONGKAI_CORS_ORIGINS: {item.strip()!r} is not an origin; give each as scheme://host[:port] "
                "with no path, no trailing slash and no wildcard, separated by commas "
                "(for example: https://gk.example.gov.cn,http://127.0.0.1:5173)"
            )
        scheme, host, port = match.groups()
        if port is not None and int(port) == {"http": 80, "https": 443}[scheme]:
            origin = f"{scheme}://{host}"  # a browser's Origin header leaves the default port out
        if origin not in origins:
            origins.append(origin)
    return tuple(origins)


MIN_AUDIT_RETENTION_DAYS = 184  # six months at their longest


def _number(env: dict[str, str], name: str, default: float) -> float:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise SettingsError(f"{name} must be a finite number, not {value!r}")
    return number


def parse_trusted_proxies(value: str) -> tuple[str, ...]:
    """GONGKAI_TRUSTED_PROXIES: comma-separated addresses or networks (``127.0.0.1,10.0.0.0/8,::1``)."""
    found: list[str] = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            network = ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(
                f"GONGKAI_TRUSTED_PROXIES: {item!r} is not an IP address or network; give the addresses of the "
                "reverse proxies in front of the server, separated by commas (for example: 127.0.0.1,10.0.0.0/8)"
            ) from None
        found.append(str(network))
    return tuple(found)


def _flag(env: dict[str, str], name: str) -> bool | None:
    """An on/off setting; None when unset (the setting's default applies)."""
    value = env.get(name, "").strip().lower()
    if not value:
        return None
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be on or off (1/0, true/false, yes/no), not {value!r}")


REPO_ROOT = Path(__file__).resolve().parent.parent


def _default_database_url(var_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{var_dir / 'gongkai.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    var_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = DEV_SECRET
    token_hours: int = 12
    policy_dir: Path = field(default_factory=lambda: Path(__file__).parent.parent / "policies")
    max_page_size: int = 100
    max_query_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_upload_bytes: int = 20 * 1024 * 1024
    max_files_per_request: int = 10
    max_body_bytes: int = 2 * 1024 * 1024  # a request body other than a multipart upload (JSON)
    max_query_cost: int = 50_000  # objects a query may produce, estimated before it runs (schema/cost.py)
    timezone: str = "Asia/Shanghai"
    data_key: str = ""  # encrypts applicants' ID numbers and phones; defaults to the secret key
    cors_origins: tuple[str, ...] = ()  # browser origins allowed to call the API; empty: same origin only
    password_hash: str = "default"  # argon2 parameters (PASSWORD_HASH_PROFILES); production: default only
    session_idle_minutes: float = 30  # a staff sign-in ends after this long without a request
    login_max_failures: int = 5  # failed sign-ins per account, and per client address, before a lock
    login_lock_minutes: float = 15  # how long that lock lasts (and the window the failures count in)
    trusted_proxies: tuple[str, ...] = ()  # proxies whose X-Forwarded-For is believed (addresses, networks)
    audit_retention_days: int = 184  # audit rows older than this may be archived (never fewer: 网络安全法 第二十一条)
    # The public path (issue 12): the front ends' operation documents by hash (`gongkai trusted-documents`)
    trusted_documents: Path = REPO_ROOT / "clients" / "trusted-documents.json"
    anonymous_trusted_only: bool | None = None  # anonymous callers run trusted documents only; None: in production
    public_max_age: int = 0  # Cache-Control max-age (seconds) of anonymous answers; 0: revalidate every time
    response_cache_entries: int = 2000  # cached anonymous and kiosk answers per worker (0: no response cache)
    response_cache_bytes: int = 32 * 1024 * 1024  # and their bytes in all, per worker
    compiled_documents: bool = True  # trusted documents' compiled answers (schema/compiled.py)
    # Subscriptions (graphql-transport-ws on /graphql): a subscriber's actor is re-read this often
    # (and at each event); connections, operations per connection, messages from the client
    subscription_recheck_seconds: float = 30
    max_subscriptions_per_connection: int = 10
    ws_init_timeout_seconds: float = 10
    ws_max_message_bytes: int = 64 * 1024
    storage_url: str = ""  # where uploaded files live (parse_storage_url); empty: file:// + files_dir
    # Channels (issue 15): the webhook sender's loop in each worker (0: none in this process; run
    # `gongkai deliver-webhooks`), its attempts, backoff and timeout; private addresses (SSRF);
    # the Atom feeds' length and the portal address their links point to (empty: this server)
    webhook_interval_seconds: float = 0
    webhook_max_attempts: int = 8
    webhook_backoff_seconds: float = 30
    webhook_timeout_seconds: float = 10
    webhook_allow_private: bool = False
    feed_entries: int = 50
    portal_url: str = ""

    def __post_init__(self) -> None:
        if self.password_hash not in PASSWORD_HASH_PROFILES:
            raise SettingsError(
                f"GONGKAI_PASSWORD_HASH must be one of {', '.join(PASSWORD_HASH_PROFILES)}, not {self.password_hash!r}"
            )
        if self.audit_retention_days < MIN_AUDIT_RETENTION_DAYS:
            raise SettingsError(
                f"GONGKAI_AUDIT_RETENTION_DAYS must be at least {MIN_AUDIT_RETENTION_DAYS}: "
                "网络安全法第二十一条 asks that network logs be kept for no less than six months"
            )
        if not (self.session_idle_minutes > 0 and self.login_lock_minutes > 0 and self.login_max_failures > 0):
            raise SettingsError(
                "GONGKAI_SESSION_IDLE_MINUTES, GONGKAI_LOGIN_LOCK_MINUTES and GONGKAI_LOGIN_MAX_FAILURES must be positive"
            )
        if self.public_max_age < 0 or self.response_cache_entries < 0 or self.response_cache_bytes < 0:
            raise SettingsError(
                "GONGKAI_PUBLIC_MAX_AGE, GONGKAI_RESPONSE_CACHE_ENTRIES and GONGKAI_RESPONSE_CACHE_MB must not be negative"
            )
        parse_storage_url(self.storage_url, self.files_dir)
        if not (
            0 < self.webhook_max_attempts <= 50 and self.webhook_timeout_seconds > 0 and 0 < self.feed_entries <= 500
        ):
            raise SettingsError(
                "GONGKAI_WEBHOOK_MAX_ATTEMPTS must be from 1 to 50, GONGKAI_WEBHOOK_TIMEOUT_SECONDS positive, "
                "GONGKAI_FEED_ENTRIES from 1 to 500"
            )
        if not (
            self.subscription_recheck_seconds > 0
            and self.max_subscriptions_per_connection > 0
            and self.ws_init_timeout_seconds > 0
            and self.ws_max_message_bytes > 0
        ):
            raise SettingsError(
                "GONGKAI_SUBSCRIPTION_RECHECK_SECONDS, GONGKAI_MAX_SUBSCRIPTIONS, GONGKAI_WS_INIT_TIMEOUT_SECONDS "
                "and GONGKAI_WS_MAX_MESSAGE_KB must be positive"
            )
        if self.production and self.password_hash != "default":
            raise SettingsError(
                f"GONGKAI_PASSWORD_HASH={self.password_hash} is for tests only: production hashes passwords "
                "with argon2's default parameters; unset GONGKAI_PASSWORD_HASH"
            )

    @property
    def trusted_only(self) -> bool:
        """Whether an anonymous caller may run trusted documents only (GONGKAI_ANONYMOUS_TRUSTED_ONLY)."""
        return self.production if self.anonymous_trusted_only is None else self.anonymous_trusted_only

    @property
    def files_dir(self) -> Path:
        return self.var_dir / "files"

    @property
    def storage(self) -> FileLocation | S3Location:
        return parse_storage_url(self.storage_url, self.files_dir)

    @property
    def audit_archive_dir(self) -> Path:
        return self.var_dir / "audit-archive"

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        mode = env.get("GONGKAI_ENV", "development")
        if mode not in ("development", "production"):
            raise SettingsError(f"GONGKAI_ENV must be development or production, not {mode!r}")
        var_dir = Path(env.get("GONGKAI_VAR_DIR", "var"))
        secret = env.get("GONGKAI_SECRET_KEY", "")
        if mode == "production" and len(secret) < 32:
            raise SettingsError(
                "GONGKAI_SECRET_KEY is required in production: set it to a random string of at "
                "least 32 characters (for example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        return cls(
            env=mode,
            var_dir=var_dir,
            database_url=env.get("GONGKAI_DATABASE_URL") or _default_database_url(var_dir),
            secret_key=secret or DEV_SECRET,
            token_hours=int(env.get("GONGKAI_TOKEN_HOURS", "12")),
            data_key=env.get("GONGKAI_DATA_KEY", ""),
            max_upload_bytes=int(float(env.get("GONGKAI_MAX_UPLOAD_MB", "20")) * 1024 * 1024),
            max_files_per_request=int(env.get("GONGKAI_MAX_FILES", "10")),
            max_body_bytes=int(float(env.get("GONGKAI_MAX_BODY_MB", "2")) * 1024 * 1024),
            max_query_cost=int(env.get("GONGKAI_MAX_QUERY_COST", "50000")),
            cors_origins=parse_cors_origins(env.get("GONGKAI_CORS_ORIGINS", "")),
            password_hash=env.get("GONGKAI_PASSWORD_HASH") or "default",
            session_idle_minutes=_number(env, "GONGKAI_SESSION_IDLE_MINUTES", 30),
            login_max_failures=int(_number(env, "GONGKAI_LOGIN_MAX_FAILURES", 5)),
            login_lock_minutes=_number(env, "GONGKAI_LOGIN_LOCK_MINUTES", 15),
            trusted_proxies=parse_trusted_proxies(env.get("GONGKAI_TRUSTED_PROXIES", "")),
            audit_retention_days=int(_number(env, "GONGKAI_AUDIT_RETENTION_DAYS", 184)),
            trusted_documents=Path(env.get("GONGKAI_TRUSTED_DOCUMENTS") or cls.trusted_documents),
            anonymous_trusted_only=_flag(env, "GONGKAI_ANONYMOUS_TRUSTED_ONLY"),
            public_max_age=int(_number(env, "GONGKAI_PUBLIC_MAX_AGE", 0)),
            response_cache_entries=int(_number(env, "GONGKAI_RESPONSE_CACHE_ENTRIES", 2000)),
            response_cache_bytes=int(_number(env, "GONGKAI_RESPONSE_CACHE_MB", 32) * 1024 * 1024),
            compiled_documents=_flag(env, "GONGKAI_COMPILED_DOCUMENTS") is not False,
            subscription_recheck_seconds=_number(env, "GONGKAI_SUBSCRIPTION_RECHECK_SECONDS", 30),
            max_subscriptions_per_connection=int(_number(env, "GONGKAI_MAX_SUBSCRIPTIONS", 10)),
            ws_init_timeout_seconds=_number(env, "GONGKAI_WS_INIT_TIMEOUT_SECONDS", 10),
            ws_max_message_bytes=int(_number(env, "GONGKAI_WS_MAX_MESSAGE_KB", 64) * 1024),
            storage_url=env.get("GONGKAI_STORAGE_URL", "").strip(),
            webhook_interval_seconds=_number(env, "GONGKAI_WEBHOOK_INTERVAL_SECONDS", 10),
            webhook_max_attempts=int(_number(env, "GONGKAI_WEBHOOK_MAX_ATTEMPTS", 8)),
            webhook_backoff_seconds=_number(env, "GONGKAI_WEBHOOK_BACKOFF_SECONDS", 30),
            webhook_timeout_seconds=_number(env, "GONGKAI_WEBHOOK_TIMEOUT_SECONDS", 10),
            webhook_allow_private=_flag(env, "GONGKAI_WEBHOOK_ALLOW_PRIVATE") is True,
            feed_entries=int(_number(env, "GONGKAI_FEED_ENTRIES", 50)),
            portal_url=env.get("GONGKAI_PORTAL_URL", "").strip(),
        )


@dataclass(frozen=True)
class FileLocation:
    root: Path


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str
    endpoint_url: str | None
    region: str | None


S3_PARAMETERS = ("endpoint_url", "region")


def parse_storage_url(value: str, files_dir: Path) -> FileLocation | S3Location:
    """GONGKAI_STORAGE_URL: ``file://<directory>`` (``file:///srv/files``, or ``file://var/files``
    relative to the working directory) or ``s3://<bucket>[/<prefix>][?endpoint_url=…&region=…]``,
    its credentials from the AWS_* environment variables; empty: the files directory under the var dir."""
    if not value:
        return FileLocation(files_dir)
    scheme, sep, rest = value.partition("://")
    if sep and scheme == "file":
        return FileLocation(Path(rest) if rest else files_dir)
    if sep and scheme == "s3":
        location, _, query = rest.partition("?")
        bucket, _, prefix = location.partition("/")
        params: dict[str, str] = {}
        for pair in filter(None, query.split("&")):
            key, _, item = pair.partition("=")
            if key not in S3_PARAMETERS or not item:
                raise SettingsError(
                    f"GONGKAI_STORAGE_URL: {pair!r} is not a parameter of an s3:// URL; "
                    f"the parameters are {', '.join(S3_PARAMETERS)} (each with a value)"
                )
            params[key] = unquote(item)
        endpoint = params.get("endpoint_url")
        if endpoint is not None and not re.fullmatch(r"https?://[^/?#\s]+/?", endpoint):
            raise SettingsError(
                f"GONGKAI_STORAGE_URL: endpoint_url={endpoint!r} must be http(s)://host[:port] with no path"
            )
        if re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket):
            endpoint = endpoint.rstrip("/") if endpoint else None
            return S3Location(bucket, prefix.strip("/"), endpoint, params.get("region"))
        raise SettingsError(f"GONGKAI_STORAGE_URL: {bucket!r} is not an S3 bucket name (3–63 of a-z, 0-9, '.', '-')")
    raise SettingsError(
        f"GONGKAI_STORAGE_URL must be file://<directory> or s3://<bucket>[/<prefix>][?endpoint_url=…&region=…], "
        f"not {value!r}"
    )
