"""Chooses what the classifier serves at start: the keyword table, a model file, or the default model
(trained in the background on first start while the keyword table serves)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from services.classifier import model_file
from services.classifier.decision import ModelInfo, Router
from services.classifier.keyword_table import KeywordTable
from services.classifier.serve import default_model
from services.classifier.serve.learned_router import LearnedRouter
from services.classifier.serve.linear_model import LinearModel
from services.classifier.serve.reload import ModelWatcher, RouterSlot
from services.classifier.settings import ClassifierSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Serving:
    slot: RouterSlot
    # Watches the model file for new versions; None when routing by keywords alone.
    watcher: ModelWatcher | None = None
    # Where to train the default model, when it is not there yet.
    build_out: Path | None = None


def router_factory(table: KeywordTable, threshold: float) -> Callable[[LinearModel, ModelInfo], Router]:
    """Makes the learned router of a loaded model, with the table's priority rules."""

    def make(model: LinearModel, info: ModelInfo) -> Router:
        return LearnedRouter(model, info, table.spec.priority, threshold)

    return make


def prepare(settings: ClassifierSettings, table: KeywordTable) -> Serving:
    """Raises model_file.ModelError when MODEL_PATH is set and its file is missing or unusable."""
    slot = RouterSlot(table)
    if settings.model.router == "keywords":
        return Serving(slot)
    make = router_factory(table, settings.confidence_threshold)
    path = default_model.served_file(settings.model)
    watcher = ModelWatcher(path, slot, make, settings.model_poll_s)
    if settings.model.model_path is not None and not path.is_file():
        raise model_file.ModelError(f"{path}: MODEL_PATH names no file")
    if path.is_file():
        try:
            slot.router = make(*model_file.load(path))
            return Serving(slot, watcher)
        except model_file.ModelError as error:
            if settings.model.model_path is not None:
                raise
            log.warning("the cached default model is unusable, training it again: %s", error)
    return Serving(slot, watcher, build_out=path)
