"""A loopback TCP proxy that cuts the connection at a chosen point, for fault tests against real servers."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Callable

Plan = tuple[str, int] | None  # ("client" | "server", after how many bytes of that side), or never


class CuttingProxy:
    """Forwards 127.0.0.1:port to the server and cuts connections where told.

    `cut_when(client_bytes_so_far)` True cuts at once (a test can cut at the first " APPEND " or "UID
    EXPUNGE"); `plan()`, asked at each new connection, cuts it after N bytes from the client (mid-command,
    mid-literal) or from the server (mid-FETCH response), for seeded random soaks.
    """

    def __init__(self, target_port: int, cut_when: Callable[[bytes], bool] | None = None,
                 plan: Callable[[], Plan] | None = None) -> None:
        self.target_port = target_port
        self.cut_when = cut_when
        self.plan = plan
        self.cuts = 0
        self.connections = 0
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
            self.connections += 1
            server = socket.create_connection(("127.0.0.1", self.target_port))
            plan = self.plan() if self.plan else None
            seen = bytearray()
            threading.Thread(target=self._pump, args=(client, server, seen, "client", plan), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, seen, "server", plan), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, seen: bytearray, side: str, plan: Plan) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if side == "client":
                    seen.extend(data)
                    if self.cut_when is not None and self.cut_when(bytes(seen)):
                        self.cuts += 1
                        break
                if plan is not None and plan[0] == side and sent + len(data) >= plan[1]:
                    dst.sendall(data[:max(0, plan[1] - sent)])  # cut in the middle of this chunk
                    self.cuts += 1
                    break
                dst.sendall(data)
                sent += len(data)
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


def random_plans(seed: int, rate: float = 0.5) -> Callable[[], Plan]:
    """Seeded plans: each connection is cut with probability `rate`, on a random side, after a random number
    of bytes (a client sends a few hundred bytes a poll; a server answers a few thousand)."""
    rng = random.Random(seed)

    def plan() -> Plan:
        if rng.random() >= rate:
            return None
        side = rng.choice(("client", "server"))
        return side, rng.randint(20, 700 if side == "client" else 5000)

    return plan
