"""The default model: trained from the shipped data on first start, cached in MODEL_DIR under a name that
changes with the data and the feature code, so a stale cache is never served after an upgrade."""

import asyncio
import hashlib
import json
import logging
import sys
from pathlib import Path

from services.classifier import features, model_file
from services.classifier.settings import ModelChoice
from services.classifier.train import datasets

log = logging.getLogger(__name__)

# Bumped when trainer.py's recipe changes (classes, SVM settings, calibration), so a cached default
# model trained the old way is trained again.
RECIPE = 1


def fingerprint(data_dir: Path = datasets.DATA_DIR) -> str:
    recipe = {
        "data": datasets.checksums(data_dir),
        "features": features.VERSION,
        "format": model_file.FORMAT,
        "kind": model_file.KIND,
        "recipe": RECIPE,
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()


def path_in(model_dir: Path) -> Path:
    return model_dir / f"default-{fingerprint()[:16]}.npz"


def served_file(choice: ModelChoice) -> Path:
    """The model file a classifier with this choice serves: MODEL_PATH, else the default model's."""
    return choice.model_path or path_in(choice.model_dir)


def train_command(out: Path) -> list[str]:
    return [sys.executable, "-m", "services.classifier.train", "--out", str(out)]


async def build(out: Path) -> bool:
    """Trains the default model in a child process (so serving is not slowed by it); True on success."""
    log.info("no model at %s: training the default model from the shipped data", out)
    child = await asyncio.create_subprocess_exec(*train_command(out))
    try:
        code = await child.wait()
    except asyncio.CancelledError:  # the server is stopping: so does the training
        child.kill()
        await child.wait()
        raise
    if code != 0:
        log.error("training the default model failed (exit code %s); still routing by keywords", code)
    return code == 0
