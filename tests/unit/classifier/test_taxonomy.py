import subprocess
import sys
from pathlib import Path

import pytest

from services.classifier.serve.linear_model import Prediction
from services.classifier.train import taxonomy
from services.classifier.train.datasets import Example

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


def _scored(queue: str, routed: str, confidence: float, oos: float) -> taxonomy.Scored:
    example = Example("text", queue, queue, "en", "taxonomy")
    return taxonomy.Scored(example, Prediction(routed, confidence, routed, (), oos))


def test_every_fifth_example_of_each_queue_and_language_is_held_back() -> None:
    rows = [
        Example(f"{q}{n}", q, q, lang, "t") for q in ("a", "b") for lang in ("ar", "en") for n in range(10)
    ]
    held = taxonomy.held_back(rows)
    assert sum(held) == 8
    assert [r.text for r, h in zip(rows, held, strict=True) if h][:2] == ["a4", "a9"]


def test_the_floor_is_raised_while_off_topic_rows_still_go_to_triage() -> None:
    # Unsure in-scope rows with a little out-of-scope probability; off-topic rows that are surely so.
    scored = [_scored("refunds", "refunds", 0.4, 0.15)] * 9 + [_scored("refunds", "refunds", 0.9, 0.01)]
    scored += [_scored("out_of_scope", "out_of_scope", 0.8, 0.8)] * 10
    assert taxonomy.choose_floor(scored) == 0.2
    figures = taxonomy.summarise(scored, 0.5, 0.2)
    assert (figures.accuracy, figures.to_triage, figures.out_of_scope_recall) == (1.0, 0.0, 1.0)
    assert taxonomy.summarise(scored, 0.5, 0.005).to_triage == 0.9


def test_a_floor_that_lets_off_topic_rows_through_is_not_chosen() -> None:
    # Off-topic rows the model half-routes to a queue: a floor above their out-of-scope share lets them in.
    scored = [_scored("refunds", "refunds", 0.4, 0.1)] * 10 + [
        _scored("out_of_scope", "refunds", 0.45, 0.4)
    ] * 10
    assert taxonomy.choose_floor(scored) == 0.2
    assert taxonomy.summarise(scored, 0.5, 0.5).out_of_scope_recall == 0.0
