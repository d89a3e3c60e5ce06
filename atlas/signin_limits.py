"""Sign-in rate limits that survive restarts, and who "the client" is behind a proxy.

Failed sign-ins are recorded in a small JSON file next to the editors' file
(``editors.toml`` → ``editors.failures.json``, mode 0600), written atomically under
a file lock, so that restarting the app (or running several app processes) does not
give a guesser a fresh budget. The file never lists what people typed: names and
client addresses are kept as HMAC digests keyed by a random secret of the file, only
the last few failure times per key are kept, and at most ``max_keys`` keys per
limiter, so a flood of invented names cannot grow it without bound.

The per-client limit needs the client's address. Streamlit gives the address of the
TCP peer (``None`` for a local connection); behind a reverse proxy that is the
proxy, for every visitor. :func:`client_address` trusts the ``X-Forwarded-For``
header only when the peer is one of the proxies named in ``ATLAS_TRUSTED_PROXY``
(comma-separated addresses or networks), since anyone else can forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import config
from .errors import LimitError

try:  # POSIX; on Windows the in-process lock alone serialises writers
    import fcntl
except ImportError:  # pragma: no cover - depends on the platform
    fcntl = None  # type: ignore[assignment]

TRUSTED_PROXY_ENV = "ATLAS_TRUSTED_PROXY"
#: The key of clients whose address is unknown or local: they share one budget.
LOCAL_CLIENT = "local"
#: IPv6 clients are limited per /64, the block one subscriber usually gets.
IPV6_PREFIX = 64
FORMAT_VERSION = 1
_PROCESS_LOCK = threading.RLock()


# -- private files ----------------------------------------------------------------------

@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of ``path`` (threads and processes)."""
    with _PROCESS_LOCK:
        if fcntl is None:
            yield
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path.with_name(f"{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def failures_file(editors: Path) -> Path:
    """Where the failures of an editors' file are kept: ``<stem>.failures.json`` beside it."""
    return editors.with_name(f"{editors.stem}.failures.json")


# -- the record of failures --------------------------------------------------------------

class FailureLog:
    """The failures file of one editors' file, shared by its limiters.

    ``path`` may be a function, resolved at each use, so that a module-level limiter
    follows ``ATLAS_EDITORS_FILE``.
    """

    def __init__(self, path: Path | Callable[[], Path]) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        """The file used now."""
        return self._path() if callable(self._path) else Path(self._path)

    def _load(self, path: Path) -> dict[str, Any]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            raise LimitError("app.auth.failures_unwritable", path=str(path),
                             detail=str(exc)) from exc
        except ValueError:  # a damaged record is started afresh, not a lock-out
            return {}
        ok = isinstance(data, dict) and data.get("version") == FORMAT_VERSION \
            and isinstance(data.get("secret"), str) and isinstance(data.get("scopes"), dict)
        return data if ok else {}

    def read(self, scope: str) -> tuple[dict[str, list[float]], Callable[[str], str]]:
        """The failures of one limiter and the function that turns a key into its digest."""
        data = self._load(self.path)
        return _scope(data, scope), _digester(data.get("secret", ""))

    @contextmanager
    def update(self, scope: str) -> Iterator[tuple[dict[str, list[float]],
                                                   Callable[[str], str]]]:
        """Change the failures of one limiter; saved on leaving the block."""
        path = self.path
        try:
            with locked(path):
                data = self._load(path)
                if not data:
                    data = {"version": FORMAT_VERSION, "secret": secrets.token_hex(32),
                            "scopes": {}}
                table = _scope(data, scope)
                yield table, _digester(data["secret"])
                data["scopes"][scope] = table
                write_private(path, json.dumps(data, separators=(",", ":")))
        except OSError as exc:
            raise LimitError("app.auth.failures_unwritable", path=str(path),
                             detail=exc.strerror or str(exc)) from exc


def _scope(data: dict[str, Any], scope: str) -> dict[str, list[float]]:
    """One limiter's table, keeping only well-formed entries of a file read from disk."""
    raw = (data.get("scopes") or {}).get(scope)
    if not isinstance(raw, dict):
        return {}
    return {str(k): [float(x) for x in v if isinstance(x, (int, float))]
            for k, v in raw.items() if isinstance(v, list)}


def _digester(secret: str) -> Callable[[str], str]:
    key = secret.encode("ascii", "replace")
    return lambda text: hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


# -- the limiter ---------------------------------------------------------------------------

class RateLimiter:
    """At most ``max_failures`` failed sign-ins per key within ``window`` seconds.

    With a :class:`FailureLog` the failures persist (see the module docstring);
    without one they live in memory, which tests with a fake clock use. Thread-safe:
    every Streamlit session runs in its own thread of one process.
    """

    def __init__(self, max_failures: int = 5, window: float = 300.0,
                 clock: Callable[[], float] = time.time, max_keys: int = 10_000,
                 log: FailureLog | None = None, scope: str = "names") -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self.log = log
        self.scope = scope
        self._memory: dict[str, list[float]] = {}
        self._lock = threading.RLock()

    @staticmethod
    def key(name: str) -> str:
        """Keys are compared case-insensitively ("Awa" and "awa" share their budget)."""
        return name.strip().casefold()

    @contextmanager
    def _table(self, write: bool) -> Iterator[tuple[dict[str, list[float]],
                                                    Callable[[str], str]]]:
        with self._lock:
            if self.log is None:
                yield self._memory, lambda text: text
            elif write:
                with self.log.update(self.scope) as opened:
                    yield opened
            else:
                yield self.log.read(self.scope)

    def _recent(self, times: list[float], now: float) -> list[float]:
        """Times still in the window (a time far in the future means the clock moved back)."""
        kept = [x for x in times if now - self.window < x <= now + self.window]
        return kept[-self.max_failures:]

    def _wait(self, times: list[float], now: float) -> float:
        if len(times) < self.max_failures:
            return 0.0
        return max(0.0, times[-self.max_failures] + self.window - now)

    def retry_after(self, name: str) -> float:
        """Seconds before ``name`` may try again (0 when it may try now)."""
        with self._table(write=False) as (table, digest):
            now = self.clock()
            return self._wait(self._recent(table.get(digest(self.key(name)), []), now), now)

    def failure(self, name: str) -> float:
        """Count a failed attempt; returns the wait it now imposes (0 if none)."""
        with self._table(write=True) as (table, digest):
            now = self.clock()
            key = digest(self.key(name))
            times = self._recent(table.get(key, []), now) + [now]
            table[key] = times[-self.max_failures:]
            self._prune(table, now)
            return self._wait(table[key], now)

    def _prune(self, table: dict[str, list[float]], now: float) -> None:
        """Drop expired keys, then the oldest ones beyond ``max_keys``."""
        for key in list(table):
            recent = self._recent(table[key], now)
            if recent:
                table[key] = recent
            else:
                del table[key]
        if len(table) > self.max_keys:
            newest = sorted(table, key=lambda k: table[k][-1], reverse=True)
            for key in newest[self.max_keys:]:
                del table[key]

    def success(self, name: str) -> None:
        """Forget the failures of a name after a successful sign-in."""
        with self._table(write=False) as (table, digest):
            if digest(self.key(name)) not in table:
                return
        with self._table(write=True) as (table, digest):
            table.pop(digest(self.key(name)), None)

    def reset(self) -> None:
        """Forget every failure of this limiter (tests, or an administrator's decision)."""
        with self._table(write=True) as (table, _digest):
            table.clear()


# -- who is the client ----------------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def trusted_proxies(setting: str | None = None) -> list[Network]:
    """The networks of ``ATLAS_TRUSTED_PROXY`` (or ``setting``); empty when unset."""
    value = config.current().trusted_proxy if setting is None else setting
    networks = []
    for part in value.split(","):
        if not part.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError as exc:
            raise LimitError("app.auth.bad_proxy", value=part.strip()) from exc
    return networks


def _parse_address(text: str) -> Address | None:
    """An address from a header entry (``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``)."""
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":")[0]
    try:
        found = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(found, "ipv4_mapped", None)
    return mapped or found


def _forwarded_for(headers: Mapping[str, str] | None) -> list[str]:
    if not headers:
        return []
    get_all = getattr(headers, "get_all", None)
    values = get_all("X-Forwarded-For") if callable(get_all) else [
        v for k, v in headers.items() if k.lower() == "x-forwarded-for"]
    return [entry for value in values or [] for entry in str(value).split(",")]


def client_key(address: Address | None) -> str:
    """The rate-limit key of an address: ``local`` for loopback, IPv6 per /64."""
    if address is None or address.is_loopback:
        return LOCAL_CLIENT
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


def client_address(peer: str | None, headers: Mapping[str, str] | None = None,
                   trusted: str | None = None) -> str:
    """The key of the client a sign-in comes from (see the module docstring).

    ``peer`` is the TCP peer (``None`` for a local connection, which is then taken
    as 127.0.0.1); ``X-Forwarded-For`` is read right to left while the hops are
    trusted proxies, so the first untrusted address is the client.
    """
    networks = trusted_proxies(trusted)
    address = _parse_address(peer) if peer else ipaddress.ip_address("127.0.0.1")

    def is_trusted(found: Address) -> bool:
        return any(found in network for network in networks if found.version == network.version)

    if address is None or not is_trusted(address):
        return client_key(address)
    for entry in reversed(_forwarded_for(headers)):
        hop = _parse_address(entry)
        if hop is None:
            break
        address = hop
        if not is_trusted(hop):
            break
    return client_key(address)
