"""`python -m services.classifier.train --if-missing`: the default model trained before a classifier
starts (the simulator's `--stack` runs it), only when that classifier would otherwise train it itself."""

import subprocess
import sys
from pathlib import Path

from services.classifier.serve import default_model
from services.classifier.settings import ModelChoice
from services.classifier.train.pipeline import default_model_missing


def test_only_a_classifier_that_would_serve_the_default_model_and_lacks_it_needs_it(tmp_path: Path) -> None:
    def missing_with(environ: dict[str, str]) -> Path | None:
        return default_model_missing(ModelChoice.from_env(environ))

    env = {"MODEL_DIR": str(tmp_path)}
    missing = missing_with(env)
    assert missing == default_model.path_in(tmp_path)

    assert missing is not None
    missing.write_bytes(b"a model")
    assert missing_with(env) is None  # already trained: nothing to wait for

    other = tmp_path / "elsewhere"
    assert missing_with({"MODEL_DIR": str(other), "MODEL_PATH": "/models/ours.npz"}) is None
    assert missing_with({"MODEL_DIR": str(other), "CLASSIFIER_ROUTER": "keywords"}) is None
    assert missing_with({"MODEL_DIR": str(other)}) == default_model.path_in(other)


def test_the_command_does_nothing_when_the_model_is_there(tmp_path: Path) -> None:
    default_model.path_in(tmp_path).write_bytes(b"a model")
    done = subprocess.run(
        [sys.executable, "-m", "services.classifier.train", "--if-missing"],
        env={"MODEL_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == [default_model.path_in(tmp_path).name]
