"""The shipped training data: every label placed, the BANKING77 validation rows fixed and held out."""

from collections import Counter

from services.classifier.train import datasets
from tests.unit.classifier.bank_queues import BANK_QUEUES


def test_every_row_has_an_intent_a_queue_and_a_language(corpus: datasets.Corpus) -> None:
    queues = {e.queue for e in corpus.train}
    assert queues == BANK_QUEUES | {"out_of_scope"}
    assert {e.language for e in corpus.train} == {"en", "ar"}
    assert len({e.intent for e in corpus.train if e.source == "arbanking77"}) == 77
    assert all(e.text.strip() for e in corpus.train + corpus.validation)


def test_banking77_validation_is_a_fixed_tenth_of_each_intent_held_out_of_training(
    corpus: datasets.Corpus,
) -> None:
    held = [e for e in corpus.validation if e.source == "banking77"]
    trained = [e for e in corpus.train if e.source == "banking77"]
    assert len(held) + len(trained) == 10003
    per_intent, total = Counter(e.intent for e in held), Counter(e.intent for e in held + trained)
    assert all(abs(per_intent[i] - total[i] / 10) <= 0.5 for i in total)
    assert [e.text for e in datasets.load().validation] == [e.text for e in corpus.validation]


def test_validation_sets_and_checksums(corpus: datasets.Corpus) -> None:
    sources = Counter(e.source for e in corpus.validation)
    assert sources == {
        "banking77": 1003,
        "arbanking77": 2464,
        "clinc150": 3000,
        "clinc150_oos": 100,
        "project_oos_ar": 42,
    }
    assert set(corpus.checksums) == set(datasets.FILES)
    assert all(len(value) == 64 for value in corpus.checksums.values())
    assert not any("test" in name for name in datasets.FILES)
