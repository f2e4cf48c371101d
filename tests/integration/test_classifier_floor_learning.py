"""Learning from the floor with real PostgreSQL: agents' transfers retrain the model, and a candidate that
evaluates worse than the served model is refused (the served file is left as it was)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from services.classifier import model_file
from services.classifier.train import corrections, datasets, fitting, pipeline
from services.classifier.train.datasets import Example
from tests.fixtures.learned_model import PER_INTENT_AND_LANGUAGE, SMALL_INFO, SMALL_INTENTS, small_rows

THRESHOLD = 0.5
# Two queues the small model knows; their unused training rows are what the agents "transfer".
CARD_ARRIVAL, TOP_UP_FAILED = "card_arrival", "top_up_failed"
PER_INTENT = 60


@pytest.fixture(scope="module")
def small_corpus(corpus: datasets.Corpus) -> datasets.Corpus:
    """The small model's rows, validated on the validation rows of its intents and some out of scope."""
    validation = [e for e in corpus.validation if e.intent in SMALL_INTENTS]
    out_of_scope = [e for e in corpus.validation if e.queue == "out_of_scope"]
    return datasets.Corpus(small_rows(corpus.train), validation + out_of_scope[::10], corpus.checksums)


@pytest.fixture(scope="module")
def unused(corpus: datasets.Corpus) -> dict[str, list[Example]]:
    """Training rows of two intents the small model was not trained on (past its first rows)."""
    rows: dict[str, list[Example]] = {CARD_ARRIVAL: [], TOP_UP_FAILED: []}
    seen: dict[tuple[str, str], int] = {}
    for example in corpus.train:
        key = (example.intent, example.language)
        seen[key] = seen.get(key, 0) + 1
        if (
            example.intent in rows
            and seen[key] > PER_INTENT_AND_LANGUAGE
            and len(rows[example.intent]) < PER_INTENT
        ):
            rows[example.intent].append(example)
    return rows


@pytest.fixture
def served(tmp_path: Path, small_corpus: datasets.Corpus) -> Path:
    path = tmp_path / "router.npz"
    model_file.save(fitting.fit(small_corpus.train, threads=1), SMALL_INFO, path)
    return path


def record_transfers(db: psycopg.Connection, moved: list[tuple[str, str]]) -> None:
    """One ticket per (text, queue), moved there from triage by an agent, a second apart."""
    queue_id = dict(db.execute("SELECT name, id FROM queues").fetchall())
    customer = db.execute("INSERT INTO customers (display_name) VALUES ('c') RETURNING id").fetchone()[0]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for number, (text, queue) in enumerate(moved):
        at = start + timedelta(seconds=number)
        ticket = db.execute(
            """INSERT INTO tickets (channel, external_id, request_hash, customer_id, queue_id, status,
                                    priority, body, routed_by, created_at, last_event_at)
               VALUES ('chat', %s, '\\x00', %s, %s, 'queued', 2, %s, 'classifier', %s, %s) RETURNING id""",
            (f"t-{number}", customer, queue_id[queue], text, at, at),
        ).fetchone()[0]
        db.execute(
            """INSERT INTO classifier_corrections
                   (ticket_id, text, queue_id, from_queue_id, occurred_at, created_at)
               VALUES (%s, %s, %s, %s, %s, %s)""",
            (ticket, text, queue_id[queue], queue_id["triage"], at, at),
        )


def test_corrections_that_contradict_the_validation_make_a_worse_model_which_is_refused(
    db: psycopg.Connection, database_url: str, served: Path, small_corpus: datasets.Corpus, unused: dict
) -> None:
    # Card deliveries "moved" to top-up and failed top-ups to cards: what the validation labels deny.
    moved = [(e.text, "top_up") for e in unused[CARD_ARRIVAL]] + [
        (e.text, "cards") for e in unused[TOP_UP_FAILED]
    ]
    record_transfers(db, moved)
    before = served.read_bytes()

    learned = corrections.from_database(database_url)
    assert len(learned) == len(moved) == 2 * PER_INTENT
    result = pipeline.learn_from_floor(small_corpus, learned, served, THRESHOLD)

    assert (result.trained_on, result.held_back) == (96, 24)
    assert result.current is not None
    # The candidate learned the contradictions (better on them) and unlearned the validation.
    assert result.candidate.corrections > result.current.corrections
    assert result.candidate.validation < result.current.validation - 0.05
    assert not result.verdict.accepted and "validation accuracy" in result.verdict.why
    assert served.read_bytes() == before


def test_sensible_corrections_make_a_model_that_is_served(
    db: psycopg.Connection, database_url: str, served: Path, small_corpus: datasets.Corpus, unused: dict
) -> None:
    moved = [(e.text, "cards") for e in unused[CARD_ARRIVAL]] + [
        (e.text, "top_up") for e in unused[TOP_UP_FAILED]
    ]
    record_transfers(db, moved)

    result = pipeline.learn_from_floor(
        small_corpus, corrections.from_database(database_url), served, THRESHOLD
    )

    assert result.current is not None and result.verdict.accepted, result
    assert result.candidate.corrections >= result.current.corrections
    # Written where the classifier watches (MODEL_PATH): it swaps the model in at its next poll.
    _, info = model_file.load(served)
    assert info.version == result.candidate_version != SMALL_INFO.version
    assert "corrections/classifier_corrections" in info.data_checksums
