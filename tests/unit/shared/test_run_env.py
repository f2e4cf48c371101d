"""The running stack's `.run/env`: what the launcher writes is what a shell and the admin CLI read."""

import os
import subprocess
from pathlib import Path

from services.admin.cli import database_url
from services.shared import run_env

VALUES = {
    "GATEWAY": "http://localhost:8080",
    "DATABASE_URL": "postgresql://postgres:@/ticketing?host=/a b/pgdata",
}


def test_written_values_read_back_and_the_file_is_private(tmp_path: Path) -> None:
    file = tmp_path / ".run" / "env"
    run_env.write(file, VALUES)
    assert run_env.read(file) == VALUES
    assert file.stat().st_mode & 0o777 == 0o600


def test_a_shell_sources_the_same_values(tmp_path: Path) -> None:
    file = tmp_path / "env"
    run_env.write(file, VALUES)
    shown = subprocess.run(
        ["bash", "-c", f'. "{file}"; printf "%s\\n%s" "$GATEWAY" "$DATABASE_URL"'],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"]},
    ).stdout
    assert shown.split("\n") == [VALUES["GATEWAY"], VALUES["DATABASE_URL"]]


def test_no_file_means_no_stack(tmp_path: Path) -> None:
    assert run_env.read(tmp_path / "env") == {}


def test_the_admin_cli_prefers_database_url_then_the_running_stacks(tmp_path: Path) -> None:
    run_env.write(tmp_path / "env", VALUES)
    here = {"STACK_RUN_DIR": str(tmp_path)}
    assert database_url(here) == VALUES["DATABASE_URL"]
    assert database_url({**here, "DATABASE_URL": "postgresql://elsewhere/db"}) == "postgresql://elsewhere/db"
    assert database_url({"STACK_RUN_DIR": str(tmp_path / "nothing")}) is None
