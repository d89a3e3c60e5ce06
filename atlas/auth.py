"""Editor accounts: who may write to the atlas from the app (import commits, restores).

Viewers need no account: reading, maps, fact sheets and downloads stay open to anyone
who can reach the app, because a workshop in a commune hall cannot wait for accounts.
Only the actions that create a revision ask for an editor sign-in, so that every
revision names a person who was trusted with it.

Credentials live in a small TOML file outside the atlas (``ATLAS_EDITORS_FILE``,
default ``data/editors.toml``, never committed): one table per editor with a random
salt and the scrypt digest of the password (``hashlib.scrypt``, memory-hard so that a
stolen file is slow to attack on a GPU). The file is written atomically with mode
0600. ``atlas editor add NAME`` creates an account (see :mod:`atlas.cli.editors`).

Sign-in attempts are limited per user name (:class:`RateLimiter`, by default five
failures per five minutes) and per client address (twenty): while a name is locked
even the right password is refused, so guessing cannot go on in the background. The
limiters live in the process memory, which is enough for a single app server; they
reset on restart.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
import time
import tomllib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import AtlasError
from .i18n import t

EDITORS_ENV = "ATLAS_EDITORS_FILE"
DEFAULT_EDITORS_FILE = "data/editors.toml"
#: Names become TOML keys and appear in revisions: a safe alphabet, no quoting games.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
#: scrypt cost: 16 MiB and ~50 ms per check on a modest laptop (OWASP minimum is N=2^17
#: with r=8 for high-value targets; an atlas editor account is not one, and the
#: sign-in must stay quick on the two-core machines the agencies use).
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
DIGEST_BYTES = 32
MAX_FAILURES = 5
WINDOW_SECONDS = 300.0
#: Failures allowed from one client address across all names (guessing many names).
MAX_CLIENT_FAILURES = 20


class AuthError(AtlasError):
    """An editor account cannot be created or read (bad name, short password...)."""


def editors_file() -> Path:
    """Where the credentials live: ``ATLAS_EDITORS_FILE`` or ``data/editors.toml``."""
    return Path(os.environ.get(EDITORS_ENV) or DEFAULT_EDITORS_FILE)


def hash_password(password: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> bytes:
    """The scrypt digest of a password (UTF-8) with its salt."""
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=128 * r * n * p * 2 + 1024 * 1024, dklen=DIGEST_BYTES)


@dataclass(frozen=True)
class Credential:
    """One editor as stored: never the password, only its salted digest."""

    name: str
    salt: bytes
    digest: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P
    created: str = ""

    def matches(self, password: str) -> bool:
        """True when ``password`` gives the stored digest (constant-time comparison)."""
        return hmac.compare_digest(hash_password(password, self.salt, self.n, self.r, self.p),
                                   self.digest)


def check_name(name: str) -> str:
    """The name, stripped, or :class:`AuthError` when it is not a safe account name."""
    name = name.strip()
    if not NAME_PATTERN.match(name):
        raise AuthError("app.auth.bad_name", name=name)
    return name


class EditorStore:
    """The credentials file (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else editors_file()
        # A digest to compare against when the name is unknown, so that an unknown
        # name costs the same time as a wrong password and names cannot be probed.
        self._decoy = Credential("", secrets.token_bytes(SALT_BYTES), b"\0" * DIGEST_BYTES)

    def load(self) -> dict[str, Credential]:
        """Accounts by name; an absent file means no editor yet."""
        if not self.path.is_file():
            return {}
        try:
            with open(self.path, "rb") as handle:
                data = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise AuthError("app.auth.bad_file", path=str(self.path), detail=str(exc)) from exc
        found: dict[str, Credential] = {}
        for name, entry in (data.get("editors") or {}).items():
            try:
                found[name] = Credential(
                    name=name, salt=bytes.fromhex(entry["salt"]),
                    digest=bytes.fromhex(entry["hash"]), n=int(entry.get("n", SCRYPT_N)),
                    r=int(entry.get("r", SCRYPT_R)), p=int(entry.get("p", SCRYPT_P)),
                    created=str(entry.get("created", "")))
            except (KeyError, TypeError, ValueError) as exc:
                raise AuthError("app.auth.bad_file", path=str(self.path),
                                detail=f"editors.{name}: {exc}") from exc
        return found

    def names(self) -> list[str]:
        """Account names, sorted."""
        return sorted(self.load())

    def add(self, name: str, password: str, *, replace: bool = False) -> Credential:
        """Create (or with ``replace``, change the password of) an account."""
        name = check_name(name)
        if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
            raise AuthError("app.auth.short_password", minimum=MIN_PASSWORD_LENGTH)
        accounts = self.load()
        if name in accounts and not replace:
            raise AuthError("app.auth.exists", name=name)
        salt = secrets.token_bytes(SALT_BYTES)
        credential = Credential(name, salt, hash_password(password, salt),
                                created=datetime.now(UTC).isoformat(timespec="seconds"))
        accounts[name] = credential
        self._write(accounts)
        return credential

    def remove(self, name: str) -> bool:
        """Delete an account; False when there was none."""
        accounts = self.load()
        if accounts.pop(name.strip(), None) is None:
            return False
        self._write(accounts)
        return True

    def verify(self, name: str, password: str) -> bool:
        """True when the name exists and the password is right."""
        if len(password) > MAX_PASSWORD_LENGTH:
            return False
        credential = self.load().get(name.strip())
        if credential is None:
            self._decoy.matches(password)
            return False
        return credential.matches(password)

    def _write(self, accounts: dict[str, Credential]) -> None:
        """Write the whole file atomically, readable by its owner only."""
        lines = ["# atlas-territorial editor accounts: scrypt digests, never passwords.",
                 "# Managed with `atlas editor add NAME`. Do not commit this file.", ""]
        for name in sorted(accounts):
            c = accounts[name]
            lines += [f'[editors."{c.name}"]', f'salt = "{c.salt.hex()}"',
                      f'hash = "{c.digest.hex()}"', f"n = {c.n}", f"r = {c.r}", f"p = {c.p}",
                      f'created = "{c.created}"', ""]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write("\n".join(lines))
            os.replace(temporary, self.path)
        finally:
            if temporary.exists():
                temporary.unlink()


class RateLimiter:
    """At most ``max_failures`` failed sign-ins per name within ``window`` seconds.

    Thread-safe: every Streamlit session runs in its own thread of one process.
    """

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic, max_names: int = 10_000) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self.max_names = max_names
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(name: str) -> str:
        """Names are limited case-insensitively ("Awa" and "awa" share their budget)."""
        return name.strip().casefold()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def retry_after(self, name: str) -> float:
        """Seconds before ``name`` may try again (0 when it may try now)."""
        with self._lock:
            now = self.clock()
            times = self._recent(self.key(name), now)
            if len(times) < self.max_failures:
                return 0.0
            return max(0.0, times[-self.max_failures] + self.window - now)

    def failure(self, name: str) -> None:
        """Count a failed attempt."""
        with self._lock:
            now = self.clock()
            key = self.key(name)
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times
            if len(self._failures) > self.max_names:  # bound memory under a name flood
                for stale in [k for k, v in self._failures.items() if now - v[-1] >= self.window]:
                    del self._failures[stale]

    def success(self, name: str) -> None:
        """Forget the failures of a name after a successful sign-in."""
        with self._lock:
            self._failures.pop(self.key(name), None)

    def reset(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._failures.clear()


#: The limiters shared by every session of the process: per name, and per client address.
LIMITER = RateLimiter()
CLIENT_LIMITER = RateLimiter(max_failures=MAX_CLIENT_FAILURES)


@dataclass(frozen=True)
class SignIn:
    """Outcome of a sign-in attempt."""

    ok: bool
    user: str | None
    reason: str  # "ok", "wrong" or "locked"
    retry_after: float = 0.0

    def message(self, lang: str | None = None) -> str:
        """What to tell the person, in their language."""
        if self.ok:
            return t("app.auth.signed_in", lang, user=self.user)
        if self.reason == "locked":
            minutes = max(1, int(-(-self.retry_after // 60)))
            return t("app.auth.locked", lang, minutes=minutes)
        return t("app.auth.wrong", lang)


def sign_in(name: str, password: str, *, store: EditorStore | None = None,
            limiter: RateLimiter | None = None, client: str | None = None,
            client_limiter: RateLimiter | None = None) -> SignIn:
    """Check an editor's password, within the rate limits.

    A locked name is refused without checking the password (so the lock also stops
    a guess that happens to be right); an unknown name counts as a failure like a
    wrong password, and both get the same message. ``client`` (the browser's address,
    when known) has its own, larger budget, so that trying many names from one
    machine is stopped too.
    """
    limiter = LIMITER if limiter is None else limiter
    client_limiter = CLIENT_LIMITER if client_limiter is None else client_limiter
    store = EditorStore() if store is None else store
    wait = max(limiter.retry_after(name),
               client_limiter.retry_after(client) if client else 0.0)
    if wait > 0:
        return SignIn(False, None, "locked", wait)
    if name.strip() and store.verify(name, password):
        limiter.success(name)
        return SignIn(True, name.strip(), "ok")
    limiter.failure(name)
    if client:
        client_limiter.failure(client)
    wait = max(limiter.retry_after(name),
               client_limiter.retry_after(client) if client else 0.0)
    return SignIn(False, None, "locked" if wait > 0 else "wrong", wait)
