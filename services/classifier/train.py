"""Trains the learned router and writes the model file:
`python -m services.classifier.train [--out PATH] [--corrections FILE.jsonl] [--data DIR]`.

The file records the model version, the training date, the SHA-256 of every data file (and of the
corrections) and the figures on the validation data. Without --out it goes to MODEL_PATH when
that is set (a running classifier loads it within seconds), else to the default model's place in
MODEL_DIR.
"""

import argparse
import hashlib
import json
import logging
import math
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from services.classifier import artifact, corrections, datasets, default_model, evaluation, features, trainer
from services.classifier.datasets import Example
from services.classifier.decision import ModelInfo
from services.classifier.learned_router import DEFAULT_THRESHOLD, route
from services.classifier.model import LinearModel
from services.classifier.settings import DEFAULT_MODEL_DIR


def routed(model: LinearModel, examples: Sequence[Example], threshold: float) -> list[evaluation.Routed]:
    decisions = []
    for example in examples:
        prediction = model.predict(features.prepare(example.text))
        queue, _, intent = route(prediction, threshold)
        decisions.append(
            evaluation.Routed(queue, intent, prediction.confidence, prediction.queue == example.queue)
        )
    return decisions


def build(
    corpus: datasets.Corpus, extra: Sequence[Example] = (), extra_checksums: dict[str, str] | None = None
) -> tuple[LinearModel, ModelInfo]:
    """Fits on the corpus's train rows plus `extra` and measures on its validation rows."""
    model = trainer.fit([*corpus.train, *extra])
    decisions = routed(model, corpus.validation, DEFAULT_THRESHOLD)
    figures = evaluation.figures(list(zip(corpus.validation, decisions, strict=True)))
    checksums = {**corpus.checksums, **(extra_checksums or {})}
    digest = hashlib.sha256(json.dumps(checksums, sort_keys=True).encode()).hexdigest()
    trained_at = datetime.now(UTC).replace(microsecond=0)
    info = ModelInfo(
        version=f"learned-{trained_at:%Y%m%d-%H%M%S}-{digest[:8]}",
        kind=artifact.KIND,
        trained_at=trained_at,
        validation={name: round(value, 4) for name, value in figures.items() if not math.isnan(value)},
        data_checksums=checksums,
    )
    return model, info


def default_out() -> Path:
    model_path = os.environ.get("MODEL_PATH")
    if model_path:
        return Path(model_path)
    return default_model.path_in(Path(os.environ.get("MODEL_DIR") or DEFAULT_MODEL_DIR))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.classifier.train", description=__doc__)
    parser.add_argument("--out", type=Path, help="where to write the model file (.npz)")
    parser.add_argument("--corrections", type=Path, help="agents' corrections, JSON lines {text, queue}")
    parser.add_argument("--data", type=Path, default=datasets.DATA_DIR, help="the training data folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    try:
        corpus = datasets.load(args.data)
        extra = corrections.load(args.corrections) if args.corrections else []
    except (OSError, ValueError) as error:
        raise SystemExit(f"train: {error}") from None
    extra_checksums = {}
    if args.corrections:
        extra_checksums[f"corrections/{args.corrections.name}"] = datasets.sha256(args.corrections)
    model, info = build(corpus, extra, extra_checksums)
    out = args.out or default_out()
    artifact.save(model, info, out)
    print(f"wrote {out} ({info.version}) in {time.perf_counter() - started:.0f} s; trained on "
          f"{len(corpus.train) + len(extra)} rows ({len(extra)} corrections)")  # fmt: skip
    for name, value in sorted(info.validation.items()):
        print(f"  {name:28s} {value:.4f}")


if __name__ == "__main__":
    main()
