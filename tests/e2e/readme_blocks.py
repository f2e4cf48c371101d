"""The ```sh blocks of README.md, in order, as a reader copies them; a block right after an
`<!-- readme-test: skip (why) -->` line is left out (only one that cannot run in a test: `make run`)."""

import re
from dataclasses import dataclass
from pathlib import Path

SKIP = re.compile(r"<!--\s*readme-test:\s*skip\b.*?-->")
FENCE = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class Block:
    line: int  # where its fence opens in README.md, from 1
    text: str


def sh_blocks(markdown: str) -> list[Block]:
    blocks = []
    for match in FENCE.finditer(markdown):
        before = markdown[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        if not SKIP.search(before):
            blocks.append(Block(markdown.count("\n", 0, match.start()) + 1, match.group(1)))
    return blocks


def readme_blocks(root: Path) -> list[Block]:
    return sh_blocks((root / "README.md").read_text(encoding="utf-8"))
