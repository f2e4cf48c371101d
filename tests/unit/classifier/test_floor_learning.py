from services.classifier.train import floor_learning
from services.classifier.train.datasets import Example
from services.classifier.train.floor_learning import Figures


def test_every_fifth_correction_is_held_back() -> None:
    rows = [Example(str(n), "queue:cards", "cards", "en", "corrections") for n in range(1, 11)]
    train, held = floor_learning.split(rows)
    assert [e.text for e in held] == ["5", "10"] and len(train) == 8


def test_a_few_rows_turned_either_way_are_noise_not_worse() -> None:
    current = (True,) * 90 + (False,) * 10
    candidate = (False,) * 3 + (True,) * 88 + (False,) * 9  # 3 lost, 1 gained
    assert not floor_learning.worse(current, candidate)
    assert floor_learning.worse(current, (False,) * 10 + (True,) * 80 + (False,) * 10)


def test_the_candidate_is_refused_when_worse_on_the_validation_or_on_the_corrections() -> None:
    good = Figures((True,) * 100, (True,) * 20)
    assert floor_learning.judge(None, good).accepted
    assert floor_learning.judge(good, good).accepted
    unlearned = Figures((False,) * 10 + (True,) * 90, (True,) * 20)
    assert "validation" in floor_learning.judge(good, unlearned).why
    assert not floor_learning.judge(good, unlearned).accepted
    forgot = Figures((True,) * 100, (False,) * 5 + (True,) * 15)
    assert not floor_learning.judge(good, forgot).accepted
    assert "corrections" in floor_learning.judge(good, forgot).why
    # Nothing held back: the corrections say nothing either way.
    assert floor_learning.judge(Figures((True,) * 100, ()), Figures((True,) * 100, ())).accepted
