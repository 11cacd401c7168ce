"""Pytest fixtures: start the real unlockd binary on a free port with a fresh SQLite
database and the demo data, exactly as a user would run it."""

import json
import os
import pathlib
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("UNLOCKD_BIN", ROOT / "target" / "debug" / "unlockd"))
DEMO_KEY_ID = "6F1C2E7A-0D4B-4C8E-9B1A-5E3D2C1B0A99"


class Server:
    """A running unlockd process."""

    def __init__(self, workdir: pathlib.Path):
        self.db_url = f"sqlite://{workdir / 'unlockd.db'}"
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
    with tempfile.TemporaryDirectory() as d:
        s = Server(pathlib.Path(d))
        try:
            yield s
        finally:
            s.stop()
