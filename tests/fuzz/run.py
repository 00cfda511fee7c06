"""A bounded schemathesis run against a real server (``make fuzz``, run by ``.ci/run``).

Migrates a fresh database (SQLite in a temporary directory, or an empty ``FUZZ_DATABASE_URL``),
loads the demo data, starts ``gongkai serve``, and lets schemathesis generate queries and
mutations for every root field twice: anonymously and as the demo district office. It fails on
any 5xx, on any response that shows a stack trace or an error without a code, and on any
traceback in the server's log. ``FUZZ_SECONDS`` bounds each of the two runs (default 240).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from api.demo.data import DEMO_PASSWORD  # noqa: E402
from api.settings import Settings  # noqa: E402
from tests.live import live_server  # noqa: E402

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token errors { code } } }"
SELF_ENDING = ("Mutation.logout", "Mutation.changePassword", "Mutation.deactivateUser")
CHECKS = "no_server_error,no_stack_trace,every_error_has_a_code"


def _gongkai(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "api.cli", *args], env=env, check=True, cwd=ROOT)


def _schemathesis(url: str, work: Path, seconds: int, token: str | None) -> int:
    args = [
        str(Path(sys.executable).with_name("st")), "run", url,
        "--checks", CHECKS, "--max-time", str(seconds), "--workers", "1",
        "--request-timeout", "30", "--continue-on-failure", "--no-color",
        "--report", "junit", "--report-dir", str(work / "report"),
    ]  # fmt: skip
    if token:
        args += ["--header", f"Authorization: Bearer {token}"]
        # These would end the fuzzer's own session or lock its account (tests/services/test_accounts*.py).
        for name in SELF_ENDING:
            args += ["--exclude-name", name]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": str(ROOT / "tests/fuzz/hooks.py"),
        "HYPOTHESIS_STORAGE_DIRECTORY": str(work / "hypothesis"),
    }
    return subprocess.run(args, env=env, cwd=work).returncode


def main() -> int:
    seconds = int(os.environ.get("FUZZ_SECONDS", "240"))
    with tempfile.TemporaryDirectory(prefix="gongkai-fuzz-") as tmp:
        work = Path(tmp)
        url = os.environ.get("FUZZ_DATABASE_URL") or f"sqlite+aiosqlite:///{work / 'fuzz.db'}"
        settings = Settings(database_url=url, var_dir=work / "var", password_hash="fast")
        env = {**os.environ, "GONGKAI_DATABASE_URL": url, "GONGKAI_VAR_DIR": str(work / "var")}
        env["GONGKAI_PASSWORD_HASH"] = "fast"
        _gongkai(env, "migrate")
        _gongkai(env, "demo")
        with live_server(settings, work / "var") as server:
            answer = httpx.post(
                server.base_url + "/graphql",
                json={"query": LOGIN, "variables": {"u": "huili_office", "p": DEMO_PASSWORD}},
                timeout=30,
            ).json()
            token = answer["data"]["login"]["token"]
            failed = [
                who
                for who, tok in (("anonymous", None), ("huili_office", token))
                if _schemathesis(server.base_url + "/graphql", work, seconds, tok) != 0
            ]
            log = server.log()
        tracebacks = log.count("Traceback (most recent call last)")
        if tracebacks:
            at = 0
            for _ in range(min(tracebacks, 5)):
                at = log.index("Traceback (most recent call last)", at)
                start = log.rfind("\n", 0, max(at - 600, 0)) + 1
                print(log[start : at + 2500], "\n---")
                at += 1
            print(f"fuzz: {tracebacks} traceback(s) in the server's log")
        if failed:
            print(f"fuzz: schemathesis found failures ({', '.join(failed)})")
        return 1 if failed or tracebacks else 0


if __name__ == "__main__":
    raise SystemExit(main())
