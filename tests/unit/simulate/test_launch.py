"""`--stack` trains the default model before the stack starts, never while a replay runs."""

from pathlib import Path

from services.classifier.serve import default_model
from services.simulate import launch


def test_the_default_model_is_trained_first_only_when_the_classifier_would_serve_it_and_it_is_missing(
    tmp_path: Path,
) -> None:
    env = {"MODEL_DIR": str(tmp_path)}
    missing = launch.default_model_to_train(env)
    assert missing == default_model.path_in(tmp_path)

    assert missing is not None
    missing.write_bytes(b"a model")
    assert launch.default_model_to_train(env) is None  # already trained: nothing to wait for

    other = tmp_path / "elsewhere"
    assert launch.default_model_to_train({"MODEL_DIR": str(other), "MODEL_PATH": "/models/ours.npz"}) is None
    assert launch.default_model_to_train({"MODEL_DIR": str(other), "CLASSIFIER_ROUTER": "keywords"}) is None
    assert launch.default_model_to_train({"MODEL_DIR": str(other)}) == default_model.path_in(other)
