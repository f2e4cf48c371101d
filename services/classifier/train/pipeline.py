"""Builds a learned router from labelled rows: fits it, measures it on validation rows, names its version."""

import hashlib
import json
import math
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from services.classifier import features, model_file
from services.classifier.decision import ModelInfo
from services.classifier.evaluate import validation
from services.classifier.serve import default_model
from services.classifier.serve.learned_router import DEFAULT_THRESHOLD, route
from services.classifier.serve.linear_model import LinearModel
from services.classifier.settings import DEFAULT_MODEL_DIR
from services.classifier.train import datasets, fitting, taxonomy
from services.classifier.train.datasets import Example


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


def default_out() -> Path:
    model_path = os.environ.get("MODEL_PATH")
    if model_path:
        return Path(model_path)
    return default_model.path_in(Path(os.environ.get("MODEL_DIR") or DEFAULT_MODEL_DIR))


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
