import subprocess
import sys
from pathlib import Path

import pytest

from services.classifier.train import taxonomy

EXAMPLE = Path("services/classifier/taxonomies/finance_ministry.yaml")


def test_the_worked_example_loads_with_enough_examples_in_both_languages() -> None:
    queues, rows = taxonomy.load(EXAMPLE)
    assert len(queues) == 8
    assert {(r.queue, r.language) for r in rows} == {(q.name, lang) for q in queues for lang in ("ar", "en")}


def test_a_thin_taxonomy_is_refused_with_what_is_missing(tmp_path: Path) -> None:
    thin = tmp_path / "thin.yaml"
    thin.write_text(
        "queues:\n  - name: refunds\n    languages: [ar, en]\n    examples: {en: [a, b, c]}\n",
        encoding="utf-8",
    )
    with pytest.raises(taxonomy.TaxonomyError) as refused:
        taxonomy.load(thin)
    message = str(refused.value)
    assert "'refunds': 3 en examples" in message and "'refunds': 0 ar examples" in message
    assert "at least 2 needed" in message


def test_the_command_exits_non_zero_on_a_thin_taxonomy(tmp_path: Path) -> None:
    thin = tmp_path / "thin.yaml"
    thin.write_text("queues: []\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.classifier.train",
            "--taxonomy",
            str(thin),
            "--out",
            str(tmp_path / "m.npz"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0 and "too thin to learn" in done.stderr
    assert not (tmp_path / "m.npz").exists()
