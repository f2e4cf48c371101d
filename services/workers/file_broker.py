"""kombu's filesystem transport with whole messages only: the broker of `make run` when no RabbitMQ
is configured (BROKER_URL=filesystem://).

kombu's own transport creates a message's file and then writes into it, while a consumer lists the
folder, moves the file away and reads it: a consumer that comes between the two reads an empty
message, fails to decode it and stops the worker (seen here on a simulated year: the survey sweep's
message read empty after about 16 minutes, and the whole stack stopped with its worker). Where the
"processed" folder is on another file system, the move is a copy, and the late write is lost.

Here a message is written under a name no consumer looks for and renamed into place when whole (a
rename within one folder is atomic), and a consumer claims a file by renaming it within the same
folder before reading it, so of two consumers exactly one gets each message.
"""

import os
import uuid
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

# Suffixes that keep a file out of every consumer's sight (kombu matches names ending `<queue>.msg`).
WRITING = ".writing"
TAKEN = ".taken"


class Channel(filesystem.Channel):
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]  # kombu names it two ways
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + WRITING
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue: Any, timeout: Any = None) -> Any:
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            path = os.path.join(self.data_folder_in, name)
            taken = path + TAKEN
            try:
                os.rename(path, taken)
            except FileNotFoundError:
                continue  # another consumer took it first
            try:
                with open(taken, "rb") as f:
                    payload = f.read()
                os.remove(taken)
            except OSError as exc:
                raise ChannelError(f"Cannot read file {taken!r} from queue.") from exc
            return loads(bytes_to_str(payload))
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel
