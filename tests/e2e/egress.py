"""The server side of the network rule: every outside address the app's own process reaches for.

The browser's requests are recorded by Playwright (:func:`helpers.record_requests`); what the
Streamlit server itself does (a look-up of the machine's external IP at start, a library
fetching something) never reaches the browser.  So the journeys' server runs under this file:

    python tests/e2e/egress.py RECORD_FILE -m streamlit run streamlit_app.py ...

It installs a Python audit hook (:pep:`578`) before Streamlit is imported, then runs the module
as ``python -m`` would.  The hook writes one line to ``RECORD_FILE`` for every name look-up
(``socket.getaddrinfo``, ``gethostbyname``) and every connection or datagram
(``socket.connect``, ``sendto``) aimed at something other than this machine, *before* it is
attempted, so a look-up is caught even where there is no network to answer it.  Tests read the
file with :func:`outside_calls`.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

#: Host names and addresses that stay on this machine.
LOCAL = {"", "localhost", "127.0.0.1", "::1", "0.0.0.0", "::", "ip6-localhost", "ip6-loopback"}


def _host(address: object) -> str | None:
    """The host of a socket address: ``(host, port[, ...])`` for IP sockets; ``None`` for a
    Unix socket path or anything without a host."""
    if isinstance(address, tuple) and address:
        host = address[0]
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        return host if isinstance(host, str) else None
    return None


def is_local_host(host: str | None) -> bool:
    return host is None or host.lower() in LOCAL or host.startswith("127.")


def install(record: Path) -> None:
    """Record every outside look-up or connection of this process in ``record`` (appended)."""
    out = record.open("a", encoding="utf-8", buffering=1)

    def hook(event: str, args: tuple) -> None:
        if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
            host = args[0] if args else None
            if isinstance(host, bytes):
                host = host.decode("ascii", "replace")
        elif event in ("socket.connect", "socket.sendto"):
            host = _host(args[1] if len(args) > 1 else None)
        else:
            return
        if not is_local_host(host if isinstance(host, str) else None):
            out.write(f"{event} {host}\n")

    sys.addaudithook(hook)


def outside_calls(record: Path, start: int = 0) -> list[str]:
    """The recorded outside calls, from line ``start`` on (each once, in first-seen order)."""
    if not record.exists():
        return []
    lines = record.read_text(encoding="utf-8").splitlines()[start:]
    return list(dict.fromkeys(line for line in lines if line.strip()))


def line_count(record: Path) -> int:
    return len(record.read_text(encoding="utf-8").splitlines()) if record.exists() else 0


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "-m":
        raise SystemExit("usage: python tests/e2e/egress.py RECORD_FILE -m MODULE [ARGS...]")
    install(Path(argv[0]))
    module, args = argv[2], argv[3:]
    sys.argv = [module, *args]
    sys.path.insert(0, str(Path.cwd()))  # as `python -m` does: the working folder first
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
