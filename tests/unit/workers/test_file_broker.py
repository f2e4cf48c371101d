"""The filesystem broker of `make run` (services/workers/file_broker.py): whole messages only, each
taken once, under producers and consumers racing in threads (kombu's own transport let a consumer
read a message its producer had created but not yet written, and the worker stopped on it)."""

import os
import threading
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from kombu import Connection

from services.workers import file_broker
from services.workers.settings import filesystem_transport_options, prepare_filesystem_broker


def _channel(folder: Path) -> Any:
    options = filesystem_transport_options(folder)
    prepare_filesystem_broker(options)
    connection = Connection("filesystem://", transport=file_broker.Transport, transport_options=options)
    return connection.channel()


def test_a_message_being_written_is_out_of_sight_until_whole(tmp_path: Path) -> None:
    channel = _channel(tmp_path)
    messages = tmp_path / "messages"
    # A producer that crashed or is still writing: its file has no consumer's name.
    (messages / f"1_x.q.msg{file_broker.WRITING}").write_bytes(b"")
    with pytest.raises(Empty):
        channel._get("q")
    channel._put("q", {"n": 1})
    assert channel._get("q") == {"n": 1}
    with pytest.raises(Empty):
        channel._get("q")
    assert [p.name for p in messages.iterdir()] == [f"1_x.q.msg{file_broker.WRITING}"]


def test_a_consumer_between_a_producers_open_and_write_finds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The moment kombu's own transport got wrong: its file already had the consumer's name while
    the payload was still being serialised and written, so a consumer read it empty."""
    producer, consumer = _channel(tmp_path), _channel(tmp_path)
    seen: list[str] = []
    real_dumps = file_broker.dumps

    def dumps_with_a_consumer_in_between(payload: Any) -> str:
        try:
            seen.append(repr(consumer._get("q")))
        except Empty:
            seen.append("empty")
        return real_dumps(payload)

    monkeypatch.setattr(file_broker, "dumps", dumps_with_a_consumer_in_between)
    producer._put("q", {"n": 1})
    assert seen == ["empty"]
    assert consumer._get("q") == {"n": 1}


def test_racing_producers_and_consumers_deliver_each_message_once_and_whole(tmp_path: Path) -> None:
    per_producer, producers, consumers = 400, 2, 3
    total = per_producer * producers
    got: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    done = threading.Event()

    def produce(base: int) -> None:
        channel = _channel(tmp_path)
        for n in range(base, base + per_producer):
            channel._put("q", {"n": n, "pad": "x" * 2000})

    def consume() -> None:
        channel = _channel(tmp_path)
        while not done.is_set():
            try:
                message = channel._get("q")
            except Empty:
                continue
            except BaseException as exc:  # an empty or torn message: what the fix is for
                errors.append(exc)
                return
            with lock:
                got.append(message["n"])
                if len(got) >= total:
                    done.set()

    threads = [threading.Thread(target=consume) for _ in range(consumers)]
    threads += [threading.Thread(target=produce, args=(i * per_producer,)) for i in range(producers)]
    for t in threads:
        t.start()
    done.wait(60)
    done.set()
    for t in threads:
        t.join(10)
    assert errors == []
    assert sorted(got) == list(range(total))
    assert os.listdir(tmp_path / "messages") == []
