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
failures per five minutes) and per client address (twenty, local clients included;
behind a reverse proxy, the forwarded address when ``ATLAS_TRUSTED_PROXY`` names the
proxy): while a name is locked even the right password is refused, so guessing
cannot go on in the background. The failures are kept next to the editors' file
(:mod:`atlas.signin_limits`), so a restart does not reset them.

scrypt runs at OWASP's recommended cost (N=2^17, r=8, p=1: 128 MiB and about half a
second per check). An account stored at an older, cheaper cost is rehashed at the
current one the next time its editor signs in, without them noticing. At most
:data:`HASH_SLOTS` checks run at once, so a burst of sign-in attempts cannot
exhaust the memory of a small server.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import config
from .errors import AuthError
from .i18n import t
from .signin_limits import (
    LOCAL_CLIENT,
    FailureLog,
    RateLimiter,
    client_address,
    failures_file,
    locked,
    write_private,
)

EDITORS_ENV = "ATLAS_EDITORS_FILE"
DEFAULT_EDITORS_FILE = config.DEFAULT_EDITORS_FILE
#: Names become TOML keys and appear in revisions: a safe alphabet, no quoting games.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
#: scrypt cost, OWASP's recommendation (N=2^17, r=8, p=1): 128 MiB per check.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
#: Bounds on a cost read from the file (a tampered file must not ask for 64 GiB).
MAX_SCRYPT_N, MAX_SCRYPT_R, MAX_SCRYPT_P = 2**20, 32, 16
#: Password checks allowed to run at the same time (each holds 128 MiB).
HASH_SLOTS = 2
_HASHING = threading.BoundedSemaphore(HASH_SLOTS)
SALT_BYTES = 16
DIGEST_BYTES = 32
MAX_FAILURES = 5
WINDOW_SECONDS = 300.0
#: Failures allowed from one client address across all names (guessing many names).
MAX_CLIENT_FAILURES = 20


def editors_file() -> Path:
    """Where the credentials live: ``ATLAS_EDITORS_FILE`` or ``data/editors.toml``."""
    return config.current().editors_file


def scrypt_memory(n: int, r: int, p: int) -> int:
    """Bytes scrypt needs (OpenSSL's ``128·r·(N+p+2)``) plus a margin: its ``maxmem``.

    ``hashlib.scrypt`` refuses anything above 32 MiB by default, which N=2^17 exceeds.
    """
    return 128 * r * (n + p + 2) + 1024 * 1024


def hash_password(password: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> bytes:
    """The scrypt digest of a password (UTF-8) with its salt."""
    with _HASHING:
        return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                              maxmem=scrypt_memory(n, r, p), dklen=DIGEST_BYTES)


def _check_cost(n: int, r: int, p: int) -> None:
    """Refuse a stored cost scrypt cannot use or that would exhaust the memory."""
    if not (2 <= n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= MAX_SCRYPT_R
            and 1 <= p <= MAX_SCRYPT_P):
        raise ValueError(f"scrypt cost n={n}, r={r}, p={p} is out of range")


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

    @property
    def outdated(self) -> bool:
        """True when stored at a cost below the current one (rehashed at next sign-in)."""
        return self.n * self.r < SCRYPT_N * SCRYPT_R


def new_credential(name: str, password: str, created: str | None = None) -> Credential:
    """A credential at the current cost with a fresh salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    return Credential(name, salt, hash_password(password, salt),
                      created=created or datetime.now(UTC).isoformat(timespec="seconds"))


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
                credential = Credential(
                    name=name, salt=bytes.fromhex(entry["salt"]),
                    digest=bytes.fromhex(entry["hash"]), n=int(entry.get("n", SCRYPT_N)),
                    r=int(entry.get("r", SCRYPT_R)), p=int(entry.get("p", SCRYPT_P)),
                    created=str(entry.get("created", "")))
                _check_cost(credential.n, credential.r, credential.p)
                if len(credential.digest) != DIGEST_BYTES:
                    raise ValueError(f"hash must be {DIGEST_BYTES} bytes")
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise AuthError("app.auth.bad_file", path=str(self.path),
                                detail=f"editors.{name}: {exc}") from exc
            found[name] = credential
        return found

    def names(self) -> list[str]:
        """Account names, sorted."""
        return sorted(self.load())

    def add(self, name: str, password: str, *, replace: bool = False) -> Credential:
        """Create (or with ``replace``, change the password of) an account."""
        name = check_name(name)
        if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
            raise AuthError("app.auth.short_password", minimum=MIN_PASSWORD_LENGTH)
        credential = new_credential(name, password)  # hashed before taking the lock
        with locked(self.path):
            accounts = self.load()
            if name in accounts and not replace:
                raise AuthError("app.auth.exists", name=name)
            accounts[name] = credential
            self._write(accounts)
        return credential

    def remove(self, name: str) -> bool:
        """Delete an account; False when there was none."""
        with locked(self.path):
            accounts = self.load()
            if accounts.pop(name.strip(), None) is None:
                return False
            self._write(accounts)
        return True

    def verify(self, name: str, password: str) -> bool:
        """True when the name exists and the password is right.

        A right password for an account stored at an older scrypt cost rehashes it
        at the current cost (:meth:`upgrade`).
        """
        if len(password) > MAX_PASSWORD_LENGTH:
            return False
        credential = self.load().get(name.strip())
        if credential is None:
            self._decoy.matches(password)
            return False
        if not credential.matches(password):
            return False
        if credential.outdated:
            self.upgrade(credential, password)
        return True

    def upgrade(self, old: Credential, password: str) -> bool:
        """Store ``old``'s account at the current cost; False if it changed meanwhile.

        Best effort: a read-only file keeps the old digest, and the sign-in succeeds.
        """
        fresh = new_credential(old.name, password, created=old.created)
        try:
            with locked(self.path):
                accounts = self.load()
                if accounts.get(old.name) != old:  # password changed by someone else
                    return False
                accounts[old.name] = fresh
                self._write(accounts)
        except (OSError, AuthError):
            return False
        return True

    def _write(self, accounts: dict[str, Credential]) -> None:
        """Write the whole file atomically, readable by its owner only."""
        lines = ["# atlas-territorial editor accounts: scrypt digests, never passwords.",
                 "# Managed with `atlas editor add NAME`. Do not commit this file.", ""]
        for name in sorted(accounts):
            c = accounts[name]
            lines += [f'[editors."{c.name}"]', f'salt = "{c.salt.hex()}"',
                      f'hash = "{c.digest.hex()}"', f"n = {c.n}", f"r = {c.r}", f"p = {c.p}",
                      f'created = "{c.created}"', ""]
        write_private(self.path, "\n".join(lines))

    def failure_log(self) -> FailureLog:
        """The record of failed sign-ins kept beside this file."""
        return FailureLog(failures_file(self.path))


def _env_failures() -> Path:
    return failures_file(editors_file())


#: The limiters of ``ATLAS_EDITORS_FILE`` (per name, and per client address); a
#: :func:`sign_in` with another :class:`EditorStore` uses the ones beside its file.
LIMITER = RateLimiter(MAX_FAILURES, WINDOW_SECONDS, log=FailureLog(_env_failures),
                      scope="names")
CLIENT_LIMITER = RateLimiter(MAX_CLIENT_FAILURES, WINDOW_SECONDS,
                             log=FailureLog(_env_failures), scope="clients")


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
    wrong password, and both get the same message. ``client`` (the key given by
    :func:`atlas.signin_limits.client_address`; ``None`` means a local client) has
    its own, larger budget, so that trying many names from one machine is stopped
    too. Without explicit limiters, the persistent ones beside the store's file
    are used.
    """
    store = EditorStore() if store is None else store
    if limiter is None:
        limiter = RateLimiter(MAX_FAILURES, WINDOW_SECONDS, log=store.failure_log(),
                              scope="names")
    if client_limiter is None:
        client_limiter = RateLimiter(MAX_CLIENT_FAILURES, WINDOW_SECONDS,
                                     log=store.failure_log(), scope="clients")
    client = client or LOCAL_CLIENT
    wait = max(limiter.retry_after(name), client_limiter.retry_after(client))
    if wait > 0:
        return SignIn(False, None, "locked", wait)
    if name.strip() and store.verify(name, password):
        limiter.success(name)
        return SignIn(True, name.strip(), "ok")
    wait = max(limiter.failure(name), client_limiter.failure(client))
    return SignIn(False, None, "locked" if wait > 0 else "wrong", wait)


__all__ = ["CLIENT_LIMITER", "LIMITER", "AuthError", "Credential", "EditorStore",
           "RateLimiter", "SignIn", "client_address", "editors_file", "hash_password",
           "sign_in"]
