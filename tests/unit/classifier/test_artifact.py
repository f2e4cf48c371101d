"""The model file: what is saved loads back the same, and a broken or foreign file is refused."""

import json
from pathlib import Path

import numpy as np
import pytest

from services.classifier import features, model_file
from services.classifier.serve.linear_model import LinearModel
from tests.fixtures.learned_model import SMALL_INFO

TEXTS = ["My card was stolen", "متى تصل بطاقتي", "what's the weather like", "top up failed"]


@pytest.fixture(scope="module")
def saved(small_model: LinearModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "router.npz"
    model_file.save(small_model, SMALL_INFO, path)
    return path


def test_a_saved_model_loads_back_with_its_information(small_model: LinearModel, saved: Path) -> None:
    model, info = model_file.load(saved)
    assert info == SMALL_INFO
    for text in TEXTS:
        assert model.predict(features.prepare(text)) == small_model.predict(features.prepare(text))
    assert not list(saved.parent.glob(".router.npz.*"))  # no temporary file left behind


def _rewrite(source: Path, target: Path, change: dict[str, object]) -> Path:
    with np.load(source) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(str(arrays["meta"]))
    for key, value in change.items():
        if key.startswith("meta."):
            meta[key[5:]] = value
        else:
            arrays[key] = value  # type: ignore[assignment]
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(target, **arrays)  # type: ignore[arg-type]
    return target


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"meta.format": 99}, "file format 99, this version reads 1"),
        ({"meta.kind": "transformer"}, "model kind 'transformer'"),
        ({"meta.features": {"version": 0}}, "trained with features"),
        ({"bias": np.zeros(3, dtype=np.float32)}, "classes and weights differ"),
        ({"idf": np.zeros(3)}, "vocabulary and weights differ"),
        ({"meta.intent_queues": ["cards"]}, "intents and their queues differ"),
        (
            {
                "meta.calibration": {
                    "oos_bias": 0,
                    "mix": 0.5,
                    "intent_temperature": 0,
                    "queue_temperature": 1,
                }
            },
            "bad temperature",
        ),
        ({"values": None}, "not a readable model file"),
    ],
)
def test_an_inconsistent_file_is_refused(
    saved: Path, tmp_path: Path, change: dict[str, object], message: str
) -> None:
    if change.get("values", 1) is None:
        change = {}
        target = tmp_path / "bad.npz"
        with np.load(saved) as archive:
            np.savez(target, **{n: archive[n] for n in archive.files if n != "values"})
    else:
        target = _rewrite(saved, tmp_path / "bad.npz", change)
    with pytest.raises(model_file.ModelError) as caught:
        model_file.load(target)
    assert str(caught.value).startswith(f"{target}: ") and message in str(caught.value)


@pytest.mark.parametrize("content", [b"", b"not a model", b"PK\x03\x04broken zip"])
def test_garbage_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    with pytest.raises(model_file.ModelError, match="not a readable model file"):
        model_file.load(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(model_file.ModelError, match="not a readable model file"):
        model_file.load(tmp_path / "nothing.npz")
