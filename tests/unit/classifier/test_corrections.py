"""Agents' corrections: read from JSON lines, and learned as rows of their queue."""

from pathlib import Path

import pytest

from services.classifier import features
from services.classifier.train import corrections, datasets, fitting
from services.classifier.train.datasets import Example
from tests.fixtures.learned_model import small_rows


def test_lines_become_rows_of_their_queue(tmp_path: Path) -> None:
    path = tmp_path / "corrections.jsonl"
    path.write_text(
        '{"text": "بطاقتي لا تعمل", "queue": "cards"}\n\n{"text": "who knows", "queue": "triage"}\n'
        '{"text": "my mortgage offer", "queue": "mortgages"}\n',
        encoding="utf-8",
    )
    rows = corrections.load(path)
    assert [(r.text, r.intent, r.queue, r.language) for r in rows] == [
        ("بطاقتي لا تعمل", "queue:cards", "cards", "ar"),
        ("my mortgage offer", "queue:mortgages", "mortgages", "en"),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "not JSON"),
        ('["text", "queue"]', "must be an object"),
        ('{"text": " ", "queue": "cards"}', "'text' must be non-empty text"),
        ('{"text": "x", "queue": "Cards!"}', "'queue' must be a queue name, not 'Cards!'"),
        ('{"text": "x", "queue": "out_of_scope"}', "'queue' must be a queue name"),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"text": "ok", "queue": "cards"}\n' + line + "\n", encoding="utf-8")  # line 1 is good
    with pytest.raises(corrections.CorrectionsError) as caught:
        corrections.load(path)
    assert str(caught.value).startswith(f"{path}:2: ") and message in str(caught.value)


def test_training_with_corrections_learns_a_new_queue(corpus: datasets.Corpus, tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    lines = [
        "I want a mortgage for my new house",
        "what mortgage rates do you offer",
        "can I get a mortgage with you",
        "how do I apply for a home loan mortgage",
        "أريد قرضا عقاريا لشراء بيت",
        "ما هي شروط القرض العقاري",
    ]
    path.write_text(
        "".join(f'{{"text": "{t}", "queue": "mortgages"}}\n' for t in lines * 3), encoding="utf-8"
    )
    model = fitting.fit(small_rows(corpus.train) + corrections.load(path), threads=1)
    assert "mortgages" in model.queues
    prediction = model.predict(features.prepare("Do you do mortgages? I want to buy a house"))
    assert (prediction.queue, prediction.intent) == ("mortgages", "queue:mortgages")


def test_an_intent_labelled_with_two_queues_is_refused() -> None:
    rows = [
        Example("a", "card_arrival", "cards", "en", "x"),
        Example("b", "card_arrival", "general", "en", "x"),
    ]
    with pytest.raises(ValueError, match="intent 'card_arrival' is labelled with two queues"):
        fitting.fit(rows, threads=1)
