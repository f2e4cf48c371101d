"""The README test's reading of the ```sh blocks, and its script's stop at the first failing block."""

import subprocess

from tests.e2e.readme_blocks import sh_blocks
from tests.e2e.test_readme import bad_statuses, by_block, script

MARKDOWN = """Intro
<!-- readme-test: skip (starts the stack) -->
```sh
make run
```
Then:
```sh
X=1
echo "x is $X"
```
```py
not shell
```
```sh
false
echo never
```
"""


def test_blocks_are_read_in_order_with_their_lines_and_skips_honoured() -> None:
    blocks = sh_blocks(MARKDOWN)
    assert [(b.line, b.text) for b in blocks] == [(7, 'X=1\necho "x is $X"\n'), (14, "false\necho never\n")]


def test_the_script_keeps_variables_between_blocks_and_stops_at_a_failure() -> None:
    done = subprocess.run(["bash", "-c", script(sh_blocks(MARKDOWN))], capture_output=True, text=True)
    assert done.returncode != 0
    ran = by_block(done.stdout)
    assert ran[7].strip() == "x is 1" and ran[14] == "\n" and "never" not in done.stdout


def test_error_statuses_are_found() -> None:
    assert bad_statuses("::http 200::\n::http 201::\n") == []
    assert bad_statuses("::http 200::\n::http 409::\n::http 000::\n") == ["409", "000"]
