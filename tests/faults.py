"""A loopback TCP proxy that cuts the connection at a chosen point, for fault tests against real servers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable


class CuttingProxy:
    """Forwards 127.0.0.1:port to the server; `cut_when(client_bytes_so_far)` True cuts both sides at once.

    The decision looks at everything the client has sent on that connection, so a test can cut "in the
    middle of an APPEND" (after the command line, before the literal's end) or "at the first UID EXPUNGE".
    """

    def __init__(self, target_port: int, cut_when: Callable[[bytes], bool] | None = None) -> None:
        self.target_port = target_port
        self.cut_when = cut_when
        self.cuts = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            seen = bytearray()
            threading.Thread(target=self._pump, args=(client, server, seen, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, seen, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, seen: bytearray, from_client: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_client:
                    seen.extend(data)
                    if self.cut_when is not None and self.cut_when(bytes(seen)):
                        self.cuts += 1
                        break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
