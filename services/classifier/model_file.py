"""The model file: arrays and JSON metadata in one NumPy .npz, written atomically, checked when read.

No pickle: loading a model file never runs code from it. A file from another feature version, or one
whose arrays do not fit together, is refused with ModelError naming the problem.
"""

import json
import os
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from services.classifier import features
from services.classifier.decision import ModelInfo
from services.classifier.serve.linear_model import LinearModel
from services.classifier.serve.weight_store import Weights

KIND = "tfidf-linear-svm"
# Bumped when the file layout changes.
FORMAT = 1
_CALIBRATION_KEYS = ("oos_bias", "mix", "intent_temperature", "queue_temperature")
# Kept when the trainer fitted them: `oos_floor`, a taxonomy model's own out-of-scope floor.
_OPTIONAL_CALIBRATION_KEYS = ("oos_floor",)


class ModelError(ValueError):
    """The model file cannot be used; the message names the file and the problem."""


def _features_signature() -> dict[str, Any]:
    return {
        "version": features.VERSION,
        "blocks": [name for name, _ in features.BLOCKS],
        "word_ngrams": list(features.WORD_NGRAMS),
        "char_ngrams": list(features.CHAR_NGRAMS),
    }


def save(model: LinearModel, info: ModelInfo, path: Path) -> None:
    """Writes beside `path` and renames, so a reader sees the old file or the new one, never half."""
    meta = {
        "format": FORMAT,
        "kind": info.kind,
        "version": info.version,
        "trained_at": info.trained_at.isoformat() if info.trained_at else None,
        "validation": info.validation,
        "data_checksums": info.data_checksums,
        "features": _features_signature(),
        "intents": model.intents,
        "intent_queues": model.intent_queues,
        "queues": model.queues,
        "calibration": model.calibration,
    }
    arrays: dict[str, Any] = {
        "meta": np.array(json.dumps(meta, ensure_ascii=False)),
        "idf": model.idf,
        "indptr": model.weights.indptr,
        "classes": model.weights.classes,
        "values": model.weights.values,
        "bias": model.weights.bias,
    }
    for number, vocabulary in enumerate(model.vocabularies):
        arrays[f"vocabulary_{number}"] = np.array("\n".join(vocabulary))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez_compressed(file, **arrays)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the model is no secret
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(path: Path) -> tuple[LinearModel, ModelInfo]:
    try:
        # Opened here, so a file that is not an archive is closed too (np.load leaks it otherwise).
        with open(path, "rb") as file, np.load(file, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        return _build(arrays)
    except ModelError as error:
        raise ModelError(f"{path}: {error}") from None
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as error:
        raise ModelError(f"{path}: not a readable model file ({type(error).__name__}: {error})") from None


def _check(condition: bool, problem: str) -> None:
    if not condition:
        raise ModelError(problem)


def _build(arrays: dict[str, np.ndarray]) -> tuple[LinearModel, ModelInfo]:
    meta = json.loads(str(arrays["meta"]))
    _check(meta.get("format") == FORMAT, f"file format {meta.get('format')!r}, this version reads {FORMAT}")
    _check(meta.get("kind") == KIND, f"model kind {meta.get('kind')!r}, this version serves {KIND!r}")
    _check(
        meta.get("features") == _features_signature(),
        f"trained with features {meta.get('features')}, this version computes {_features_signature()}",
    )
    vocabularies = [str(arrays[f"vocabulary_{n}"]).split("\n") for n in range(len(features.BLOCKS))]
    weights = Weights(
        indptr=arrays["indptr"].astype(np.int64),
        classes=arrays["classes"],
        values=arrays["values"].astype(np.float32),
        bias=arrays["bias"].astype(np.float32),
    )
    idf, intents, queues = arrays["idf"].astype(np.float64), meta["intents"], meta["queues"]
    calibration = {key: float(meta["calibration"][key]) for key in _CALIBRATION_KEYS}
    calibration |= {
        key: float(meta["calibration"][key])
        for key in _OPTIONAL_CALIBRATION_KEYS
        if key in meta["calibration"]
    }
    n_features = sum(len(vocabulary) for vocabulary in vocabularies)
    _check(len(idf) == n_features and len(weights.indptr) == n_features + 1, "vocabulary and weights differ")
    _check(bool(np.all(np.diff(weights.indptr) >= 0)), "weight index is not in order")
    _check(int(weights.indptr[-1]) == len(weights.values) == len(weights.classes), "weight arrays differ")
    _check(len(weights.bias) == len(intents) + len(queues), "classes and weights differ")
    _check(len(weights.classes) == 0 or int(weights.classes.max()) < len(weights.bias), "weight of no class")
    _check(len(meta["intent_queues"]) == len(intents), "intents and their queues differ")
    _check(set(meta["intent_queues"]) <= set(queues), "an intent names an unknown queue")
    finite = all(np.all(np.isfinite(a)) for a in (idf, weights.values, weights.bias))
    _check(finite and all(np.isfinite(v) for v in calibration.values()), "a weight is not a number")
    _check(calibration["intent_temperature"] > 0 and calibration["queue_temperature"] > 0, "bad temperature")
    model = LinearModel(vocabularies, idf, weights, intents, meta["intent_queues"], queues, calibration)
    trained_at = datetime.fromisoformat(meta["trained_at"]) if meta.get("trained_at") else None
    info = ModelInfo(
        version=str(meta["version"]),
        kind=KIND,
        trained_at=trained_at,
        validation={str(k): float(v) for k, v in meta.get("validation", {}).items()},
        data_checksums={str(k): str(v) for k, v in meta.get("data_checksums", {}).items()},
    )
    return model, info
