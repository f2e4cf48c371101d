"""README.md's "API by example", run word for word against a fresh stack, block by block, in one
shell, as a reader runs it: every command must succeed and no HTTP answer may be an error.

The blocks run from a folder laid out like a checkout after `make run` (`.venv`, `docs/`, and `.run/`
holding the stack's `env`), with the caller's PATH and HOME and nothing of the stack's settings. A
curl configuration file (CURL_HOME) only adds each answer's status on stderr, where the test reads it.
"""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.e2e.readme_blocks import Block, readme_blocks
from tests.e2e.stack import running_stack

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
STATUS = re.compile(r"^::http (\d{3})::$", re.M)
# The whole walkthrough takes a few seconds; a block stuck waiting (an offer that never comes) fails.
WALKTHROUGH_TIMEOUT_S = 90


def script(blocks: list[Block]) -> str:
    """One bash script: each block after a marker line naming it, stopping at the first failure."""
    lines = [
        "set -eo pipefail",
        "exec 2>&1",  # one stream, in order: each status line falls under its block's marker
        # A reader's background jobs end with their shell; so do the test's, even when a block fails.
        "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
    ]
    for block in blocks:
        lines += [f"echo '::block {block.line}::'", block.text]
    lines.append("echo '::done::'")
    return "\n".join(lines) + "\n"


def by_block(output: str) -> dict[int, str]:
    parts = re.split(r"^::block (\d+)::$", output, flags=re.M)
    return {int(line): text for line, text in zip(parts[1::2], parts[2::2], strict=True)}


def checkout(folder: Path) -> None:
    """The files a reader has: the virtualenv `make run` made and the repository's docs/."""
    (folder / ".venv").symlink_to(Path(sys.prefix))
    (folder / "docs").symlink_to(ROOT / "docs")
    curl_home = folder / "curl-home"
    curl_home.mkdir()
    (curl_home / ".curlrc").write_text('write-out = "%{stderr}\\n::http %{http_code}::\\n"\n')


def test_the_readme_walkthrough_runs_as_written(
    tmp_path: Path, database_url: str, broker_url: str, default_model_path: Path
) -> None:
    blocks = readme_blocks(ROOT)
    assert len(blocks) >= 8 and not blocks[0].text.startswith("make run")
    checkout(tmp_path)
    extra = {
        "MODEL_PATH": default_model_path,
        "DATABASE_URL": database_url,
        "BROKER_URL": broker_url,
        "CELERY_QUEUE_PREFIX": f"readme-{uuid.uuid4().hex[:8]}.",
        # A loaded machine must not route to triage by the classifier's deadline.
        "CLASSIFIER_TIMEOUT_MS": "3000",
    }
    with running_stack(tmp_path / ".run", extra):
        reader = {
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "LANG": "C.UTF-8",
            "CURL_HOME": str(tmp_path / "curl-home"),
            # Where the code under test is imported from when it is not the virtualenv's own install.
            **({"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {}),
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", script(blocks)],
            cwd=tmp_path,
            env=reader,
            capture_output=True,
            text=True,
            timeout=WALKTHROUGH_TIMEOUT_S,
        )
    output = done.stdout + done.stderr
    ran = by_block(done.stdout)
    assert done.returncode == 0 and "::done::" in done.stdout, (
        f"README.md's block at line {max(ran, default=0)} failed (exit {done.returncode}):\n{output[-6000:]}"
    )
    assert sorted(ran) == [block.line for block in blocks]
    # 000: curl reached nothing.
    errors = {line: codes for line, text in ran.items() if (codes := bad_statuses(text))}
    assert not errors, f"HTTP errors by README.md line: {errors}\n{output[-6000:]}"


def bad_statuses(text: str) -> list[str]:
    return [code for code in STATUS.findall(text) if code >= "400" or code == "000"]
