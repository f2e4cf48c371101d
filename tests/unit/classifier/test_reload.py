"""A new model file is swapped in while serving; a broken one is refused and the old model serves on."""

import asyncio
import dataclasses
import logging
import os
from pathlib import Path

import pytest

from services.classifier import keyword_table, model_file
from services.classifier.serve import startup
from services.classifier.serve.linear_model import LinearModel
from services.classifier.serve.reload import ModelWatcher, RouterSlot
from services.classifier.settings import ClassifierSettings, ModelChoice
from tests.fixtures.learned_model import SMALL_INFO

SETTINGS = ClassifierSettings.from_env({"INTERNAL_GRPC_TOKEN": "s" * 32})


def _watcher(path: Path) -> tuple[ModelWatcher, RouterSlot]:
    table = keyword_table.load()
    slot = RouterSlot(table)
    return ModelWatcher(path, slot, startup.router_factory(table, 0.5), poll_s=0.01), slot


def _save(model: LinearModel, path: Path, version: str) -> None:
    model_file.save(model, dataclasses.replace(SMALL_INFO, version=version), path)


def test_a_new_file_is_loaded_and_a_broken_one_refused(
    small_model: LinearModel, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "router.npz"
    watcher, slot = _watcher(path)

    async def scenario() -> None:
        assert not await watcher.check()  # no file yet: the keyword table serves on
        assert slot.router.info.kind == "keyword_table"
        _save(small_model, path, "learned-one")
        assert await watcher.check() and slot.router.version == "learned-one"
        assert not await watcher.check()  # unchanged: not read again
        path.write_bytes(b"half a file")
        with caplog.at_level(logging.ERROR):
            assert not await watcher.check()
        assert slot.router.version == "learned-one"
        assert "refused the model file, still serving learned-one" in caplog.text
        _save(small_model, path, "learned-two")
        assert await watcher.check() and slot.router.version == "learned-two"
        assert await watcher.check(force=True)  # SIGHUP reads it again

    asyncio.run(scenario())


def test_the_poll_loop_picks_up_a_file(small_model: LinearModel, tmp_path: Path) -> None:
    path = tmp_path / "router.npz"
    watcher, slot = _watcher(path)

    async def scenario() -> None:
        task = asyncio.create_task(watcher.run())
        _save(small_model, path, "learned-polled")
        for _ in range(500):
            if slot.router.version == "learned-polled":
                break
            await asyncio.sleep(0.01)
        task.cancel()

    asyncio.run(scenario())
    assert slot.router.version == "learned-polled"


def test_start_with_keywords_only() -> None:
    serving = startup.prepare(
        dataclasses.replace(SETTINGS, model=ModelChoice(router="keywords")), keyword_table.load()
    )
    assert serving.slot.router.info.kind == "keyword_table" and serving.watcher is None


def test_start_with_a_model_file(small_model: LinearModel, tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    _save(small_model, path, "learned-start")
    serving = startup.prepare(
        dataclasses.replace(SETTINGS, model=ModelChoice(model_path=path)), keyword_table.load()
    )
    assert serving.slot.router.version == "learned-start" and serving.build_out is None
    assert serving.watcher is not None and serving.watcher.path == path


def test_a_missing_or_broken_model_path_stops_the_start(tmp_path: Path) -> None:
    table = keyword_table.load()
    with pytest.raises(model_file.ModelError, match="MODEL_PATH names no file"):
        startup.prepare(
            dataclasses.replace(SETTINGS, model=ModelChoice(model_path=tmp_path / "none.npz")), table
        )
    (tmp_path / "bad.npz").write_text("x")
    with pytest.raises(model_file.ModelError, match="not a readable model file"):
        startup.prepare(
            dataclasses.replace(SETTINGS, model=ModelChoice(model_path=tmp_path / "bad.npz")), table
        )


def test_without_a_default_model_the_table_serves_while_it_is_built(tmp_path: Path) -> None:
    serving = startup.prepare(
        dataclasses.replace(SETTINGS, model=ModelChoice(model_dir=tmp_path)), keyword_table.load()
    )
    assert serving.slot.router.info.kind == "keyword_table"
    assert serving.build_out is not None and serving.build_out.parent == tmp_path
    assert serving.build_out.name.startswith("default-") and not serving.build_out.exists()
    # A broken cached default is built again rather than refused.
    serving.build_out.write_text("x")
    os.utime(serving.build_out)
    again = startup.prepare(
        dataclasses.replace(SETTINGS, model=ModelChoice(model_dir=tmp_path)), keyword_table.load()
    )
    assert again.build_out == serving.build_out
