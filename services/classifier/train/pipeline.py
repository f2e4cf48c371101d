"""Builds a learned router from labelled rows: fits it, measures it on validation rows, names its version."""

import hashlib
import json
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from services.classifier import features, model_file
from services.classifier.decision import ModelInfo
from services.classifier.evaluate import validation
from services.classifier.serve import default_model
from services.classifier.serve.learned_router import DEFAULT_THRESHOLD, route
from services.classifier.serve.linear_model import LinearModel
from services.classifier.settings import ModelChoice
from services.classifier.train import datasets, fitting, floor_learning, taxonomy
from services.classifier.train.datasets import Example

log = logging.getLogger(__name__)


def routed(model: LinearModel, examples: Sequence[Example], threshold: float) -> list[validation.Routed]:
    decisions = []
    for example in examples:
        prediction = model.predict(features.prepare(example.text))
        queue, _, intent = route(prediction, threshold)
        decisions.append(
            validation.Routed(queue, intent, prediction.confidence, prediction.queue == example.queue)
        )
    return decisions


def build(
    corpus: datasets.Corpus, extra: Sequence[Example] = (), extra_checksums: dict[str, str] | None = None
) -> tuple[LinearModel, ModelInfo]:
    """Fits on the corpus's train rows plus `extra` and measures on its validation rows."""
    model = fitting.fit([*corpus.train, *extra])
    decisions = routed(model, corpus.validation, DEFAULT_THRESHOLD)
    figures = validation.figures(list(zip(corpus.validation, decisions, strict=True)))
    checksums = {**corpus.checksums, **(extra_checksums or {})}
    digest = hashlib.sha256(json.dumps(checksums, sort_keys=True).encode()).hexdigest()
    trained_at = datetime.now(UTC).replace(microsecond=0)
    info = ModelInfo(
        version=f"learned-{trained_at:%Y%m%d-%H%M%S}-{digest[:8]}",
        kind=model_file.KIND,
        trained_at=trained_at,
        validation={name: round(value, 4) for name, value in figures.items() if not math.isnan(value)},
        data_checksums=checksums,
    )
    return model, info


def default_model_missing(choice: ModelChoice) -> Path | None:
    """The default model's file when a classifier with this choice would serve it and it is not there
    yet: such a classifier routes by keywords while it trains one (about a minute of a core). None
    when it serves another model (MODEL_PATH), keywords, or the default model is there."""
    if choice.router != "learned" or choice.model_path is not None:
        return None
    path = default_model.served_file(choice)
    return None if path.is_file() else path


def default_out() -> Path:
    return default_model.served_file(ModelChoice.from_env(os.environ))


def build_taxonomy(
    rows: Sequence[Example], corpus: datasets.Corpus, checksums: dict[str, str], hold_out: bool = False
) -> tuple[LinearModel, ModelInfo, taxonomy.CrossValidation, taxonomy.CrossValidation | None]:
    """An operator's queues: cross-validated (which fits the model's out-of-scope floor), then fitted on
    all their rows (less the held-back fifth with `hold_out`, which then measures the model), public
    rows out of scope."""
    held = taxonomy.held_back(rows) if hold_out else [False] * len(rows)
    train = [row for row, back in zip(rows, held, strict=True) if not back]
    oos = taxonomy.out_of_scope(corpus.train)
    scored = taxonomy.cross_validated(train, oos)
    floor = taxonomy.choose_floor(scored)
    cv = taxonomy.summarise(scored, DEFAULT_THRESHOLD, floor)
    model = fitting.fit([*train, *oos])
    model.calibration = {**model.calibration, "oos_floor": floor}
    figures = {"cv_accuracy": cv.accuracy, "cv_to_triage": cv.to_triage, "oos_floor": floor}
    figures |= {"cv_out_of_scope_recall": cv.out_of_scope_recall}
    figures |= {f"cv_accuracy_{lang}": value for lang, value in cv.per_language.items()}
    figures |= {f"cv_accuracy_{queue}": value for queue, (_, value) in cv.per_queue.items()}
    held_figures = None
    if hold_out:
        back = [row for row, is_back in zip(rows, held, strict=True) if is_back]
        held_figures = taxonomy.summarise(
            [taxonomy.Scored(row, model.predict(features.prepare(row.text))) for row in back],
            DEFAULT_THRESHOLD,
            floor,
        )
        figures |= {"held_out_accuracy": held_figures.accuracy, "held_out_to_triage": held_figures.to_triage}
        figures |= {f"held_out_accuracy_{lang}": v for lang, v in held_figures.per_language.items()}
    digest = hashlib.sha256(json.dumps(checksums, sort_keys=True).encode()).hexdigest()
    trained_at = datetime.now(UTC).replace(microsecond=0)
    info = ModelInfo(
        version=f"taxonomy-{trained_at:%Y%m%d-%H%M%S}-{digest[:8]}",
        kind=model_file.KIND,
        trained_at=trained_at,
        validation={name: round(value, 4) for name, value in figures.items() if not math.isnan(value)},
        data_checksums=checksums,
    )
    return model, info, cv, held_figures


@dataclass(frozen=True)
class FloorLearning:
    current: floor_learning.Figures | None
    candidate: floor_learning.Figures
    verdict: floor_learning.Verdict
    candidate_version: str
    trained_on: int
    held_back: int


def learn_from_floor(
    corpus: datasets.Corpus, corrections: Sequence[Example], out: Path, threshold: float
) -> FloorLearning:
    """Trains on the corpus and the corrections less the held-back slice; writes `out` (atomically: a
    classifier watching it swaps the model in) only when the candidate is judged no worse than the model
    `out` holds now."""
    train, held = floor_learning.split(corrections)
    current = None
    if out.is_file():
        try:
            served, _ = model_file.load(out)
            current = floor_learning.measure(served, corpus.validation, held, threshold)
        except model_file.ModelError as error:
            log.warning("the model at %s is unusable, so any new one is better: %s", out, error)
    model, info = build(corpus, train, {"corrections/classifier_corrections": _digest(corrections)})
    candidate = floor_learning.measure(model, corpus.validation, held, threshold)
    verdict = floor_learning.judge(current, candidate)
    if verdict.accepted:
        model_file.save(model, info, out)
    return FloorLearning(current, candidate, verdict, info.version, len(train), len(held))


def _digest(corrections: Sequence[Example]) -> str:
    rows = [[example.text, example.queue] for example in corrections]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()
