"""Pytest fixtures: start the real unlockd binary on a free port with a fresh database
and the demo data, exactly as a user would run it.

The backend comes from UNLOCKD_TEST_DATABASE: "sqlite" (default, a temp file) or
"postgres" (a database unlockd_test_<pid>_<n> of its own on 127.0.0.1:5432, dropped
after the test)."""

import itertools
import json
import os
import pathlib
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("UNLOCKD_BIN", ROOT / "target" / "debug" / "unlockd"))
DEMO_KEY_ID = "6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99"
PG_ADMIN = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-v", "ON_ERROR_STOP=1", "-qc"]
_databases = itertools.count()


def on_postgres() -> bool:
    backend = os.environ.get("UNLOCKD_TEST_DATABASE", "sqlite") or "sqlite"
    if backend not in ("sqlite", "postgres", "postgresql"):
        raise RuntimeError(f"UNLOCKD_TEST_DATABASE={backend}: use sqlite or postgres")
    return backend != "sqlite"


class PgDatabase:
    """A PostgreSQL database created for one test; drop() removes it."""

    def __init__(self):
        self.name = f"unlockd_test_{os.getpid()}_{next(_databases)}"
        # A leftover of an earlier run with the same pid goes first.
        self.drop()
        subprocess.run([*PG_ADMIN, f"CREATE DATABASE {self.name}"], check=True)
        self.url = f"postgres://postgres@127.0.0.1:5432/{self.name}"

    def drop(self):
        subprocess.run([*PG_ADMIN, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"], check=True)


class Server:
    """A running unlockd process."""

    def __init__(self, db_url: str):
        self.db_url = db_url
        env = dict(os.environ, UNLOCKD_DATABASE_URL=self.db_url, RUST_LOG="warn")
        self.env = env
        self.proc = subprocess.Popen(
            [str(BINARY), "serve", "--bind", "127.0.0.1:0", "--demo", "--test-clock"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for line in self.proc.stdout:
            if line.startswith("unlockd listening on "):
                self.base = line.strip().removeprefix("unlockd listening on ")
                break
        else:
            raise RuntimeError("unlockd exited before listening")
        self.wsdl = f"{self.base}/solo/webservices/XmlActivationService.asmx?WSDL"

    def key_export(self) -> dict:
        out = subprocess.run(
            [str(BINARY), "key", "export", "--id", DEMO_KEY_ID],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture()
def server():
    if on_postgres():
        db = PgDatabase()
        try:
            s = Server(db.url)
            try:
                yield s
            finally:
                s.stop()
        finally:
            db.drop()
    else:
        with tempfile.TemporaryDirectory() as d:
            s = Server(f"sqlite://{pathlib.Path(d) / 'unlockd.db'}")
            try:
                yield s
            finally:
                s.stop()
