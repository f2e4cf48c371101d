"""The file `make run` writes while the stack runs (`.run/env`): where its gateway and database are.

A shell reads it with `. .run/env` (plain `NAME=value` lines, not exported, so a later `make run` in
the same shell still chooses its own servers); the admin CLI reads DATABASE_URL from it when the
variable is not set, so it reaches the database of the stack running beside it.
"""

import os
import shlex
from collections.abc import Mapping
from pathlib import Path

FILE_NAME = "env"
HEADER = "# The stack `make run` started (removed when it stops). In a shell: . .run/env"


def path(environ: Mapping[str, str]) -> Path:
    """Where the running stack's file is: STACK_RUN_DIR (default `.run`, from the working directory)."""
    return Path(environ.get("STACK_RUN_DIR") or ".run") / FILE_NAME


def render(values: Mapping[str, str]) -> str:
    """The file's text: one shell-quoted `NAME=value` line per value, after the header."""
    return "\n".join([HEADER, *(f"{name}={shlex.quote(value)}" for name, value in values.items())]) + "\n"


def parse(text: str) -> dict[str, str]:
    """The values of a file written by `render` (comments and blank lines skipped)."""
    values = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, quoted = line.partition("=")
        words = shlex.split(quoted)
        values[name.strip()] = words[0] if words else ""
    return values


def write(file: Path, values: Mapping[str, str]) -> None:
    """Writes the file readable by its owner only: the database URL may carry a password."""
    file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(render(values))


def read(file: Path) -> dict[str, str]:
    """The values of the running stack's file; empty when no stack is running there."""
    try:
        return parse(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
