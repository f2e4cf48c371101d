"""Cross-dialect validation: train on one Arabic register, validate on the other, against the baseline:
`python -m services.classifier.evaluate.cross_dialect [--plain]`.

ArBanking77 mixes Modern Standard and Palestinian rows without saying which is which, so each Arabic
row is tagged by its dialect marker words (dialect.detect on the raw text): "msa" (no marker) or
"dialect" (any). Split A trains on the English rows plus the Arabic "msa" train rows and validates on
every "dialect" row (train and val); split B the reverse. --plain turns off the dialect and Arabizi
mapping, to measure what it adds. Out-of-scope validation is CLINC150 `oos_val` and the project's
held-out Arabic questions.
"""

import argparse
import logging
from collections.abc import Sequence

from services.classifier import arabizi, dialect, features
from services.classifier.evaluate.baseline import Baseline
from services.classifier.evaluate.validation import register
from services.classifier.serve.learned_router import DEFAULT_THRESHOLD, route
from services.classifier.train import datasets, fitting
from services.classifier.train.datasets import Example


def _score(rows: Sequence[Example], queues: Sequence[str]) -> tuple[float, float]:
    """(accuracy, share sent to triage); out-of-scope rows are right when sent to triage."""
    right = sum(
        q == ("triage" if e.queue == "out_of_scope" else e.queue) for e, q in zip(rows, queues, strict=True)
    )
    return right / len(rows), sum(q == "triage" for q in queues) / len(rows)


def run(corpus: datasets.Corpus, trained: str, validated: str) -> list[list[str]]:
    every = [*corpus.train, *corpus.validation]
    train_rows = [
        e
        for e in corpus.train
        if register(e) in ("en", trained) or (e.language == "ar" and e.source != "arbanking77")
    ]
    held = [e for e in every if register(e) == validated]
    oos = [e for e in corpus.validation if e.queue == "out_of_scope" and e.source != "clinc150"]
    model = fitting.fit(train_rows)
    baseline = Baseline(train_rows)
    rows = []
    for name, group in ((f"in scope, {validated}", held), ("out of scope (oos_val + Arabic)", oos)):
        predictions = [model.predict(features.prepare(e.text)) for e in group]
        routed = [route(p, DEFAULT_THRESHOLD)[0] for p in predictions]
        argmax = [("triage" if p.queue == "out_of_scope" else p.queue) for p in predictions]
        theirs = [q for q, _ in baseline.route_many([e.text for e in group])]
        figures = [_score(group, queues) for queues in (routed, argmax, theirs)]
        rows.append(
            [f"train {trained}, validate {name} ({len(group)})", *(f"{a:.4f} / {t:.1%}" for a, t in figures)]
        )
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m services.classifier.evaluate.cross_dialect", description=__doc__
    )
    parser.add_argument("--plain", action="store_true", help="without the dialect and Arabizi mapping")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.plain:  # a measurement switch of this command only: serving always maps
        dialect.to_standard = lambda normalised: normalised  # type: ignore[assignment]
        arabizi.to_arabic = lambda normalised: normalised  # type: ignore[assignment]
    corpus = datasets.load()
    print("split | learned, threshold (accuracy / to triage) | learned, no threshold | baseline")
    for trained, validated in (("msa", "dialect"), ("dialect", "msa")):
        for row in run(corpus, trained, validated):
            print(" | ".join(row), flush=True)


if __name__ == "__main__":
    main()
