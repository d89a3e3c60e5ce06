"""Sign-in failures are kept beside the editors' file: a restart does not reset them."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from atlas.auth import MAX_FAILURES, EditorStore, RateLimiter, sign_in
from atlas.cli import main
from atlas.errors import AtlasError
from atlas.signin_limits import FailureLog, failures_file

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path):
    editors = EditorStore(tmp_path / "editors.toml")
    editors.add("awa", PASSWORD)
    return editors


def run_python(code: str) -> str:
    """Run ``code`` in a new interpreter (a restarted app) and return what it prints."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120, env={**os.environ})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow
def test_a_locked_name_stays_locked_after_a_restart(store):
    for _ in range(MAX_FAILURES):
        last = sign_in("awa", "wrong password", store=store)
    assert last.reason == "locked"
    # A new process, a new EditorStore on the same file: even the right password waits.
    reason = run_python(f"""
        from atlas.auth import EditorStore, sign_in
        print(sign_in("awa", {PASSWORD!r}, store=EditorStore({str(store.path)!r})).reason)
    """)
    assert reason == "locked"


def test_the_record_is_private_and_never_lists_what_was_typed(store):
    sign_in("typed-my-password-here", "wrong password", store=store, client="198.51.100.23")
    path = failures_file(store.path)
    assert path == store.path.with_name("editors.failures.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "typed-my-password-here" not in text and "198.51.100.23" not in text
    assert set(json.loads(text)["scopes"]) == {"names", "clients"}


@pytest.mark.slow
def test_local_clients_have_a_budget_too(store):
    clients = RateLimiter(max_failures=2, log=store.failure_log(), scope="clients")
    for name in ("ali", "binta"):  # two different names, from a local browser
        sign_in(name, "wrong password", store=store, client_limiter=clients)
    refused = sign_in("awa", PASSWORD, store=store, client_limiter=clients)
    assert refused.reason == "locked"  # the per-client limit applied with client=None
    assert sign_in("awa", PASSWORD, store=store, client="203.0.113.9",
                   client_limiter=clients).ok


def test_persisted_failures_still_slide_out_of_the_window(tmp_path):
    clock = Clock()
    log = FailureLog(tmp_path / "editors.failures.json")
    limiter = RateLimiter(max_failures=2, window=60, clock=clock, log=log)
    limiter.failure("awa")
    clock.now += 50
    assert limiter.failure("awa") == pytest.approx(10)
    again = RateLimiter(max_failures=2, window=60, clock=clock, log=log)  # "restarted"
    assert again.retry_after("AWA") == pytest.approx(10)
    clock.now += 11
    assert again.retry_after("awa") == 0


def test_failures_dated_in_the_future_do_not_lock_forever(tmp_path):
    clock = Clock()
    log = FailureLog(tmp_path / "f.json")
    ahead = RateLimiter(max_failures=1, window=60, clock=clock, log=log)
    clock.now += 10_000  # recorded while the clock was far ahead...
    ahead.failure("awa")
    clock.now -= 10_000  # ...then the clock was set right
    assert ahead.retry_after("awa") == 0


def test_the_record_stays_bounded_under_a_flood_of_names(tmp_path):
    log = FailureLog(tmp_path / "f.json")
    limiter = RateLimiter(max_keys=3, log=log)
    for number in range(10):
        limiter.failure(f"name{number}")
    table, digest = log.read("names")
    assert len(table) == 3
    assert set(table) == {digest(f"name{n}") for n in (7, 8, 9)}  # the newest are kept


@pytest.mark.slow
def test_a_damaged_record_is_started_afresh(store):
    failures_file(store.path).write_text("{not json")
    assert sign_in("awa", "wrong password", store=store).reason == "wrong"
    assert sign_in("awa", PASSWORD, store=store).ok


def test_an_unwritable_record_refuses_the_sign_in_with_a_sentence(store):
    failures_file(store.path).mkdir()  # a folder where the file should be
    with pytest.raises(AtlasError) as raised:
        sign_in("awa", PASSWORD, store=store)
    assert "registre des essais" in raised.value.message("fr")
    assert "record of sign-in attempts" in raised.value.message("en")


@pytest.mark.slow
def test_two_processes_recording_at_once_lose_no_failure(tmp_path):
    path = tmp_path / "editors.failures.json"
    code = f"""
        from atlas.signin_limits import FailureLog, RateLimiter
        limiter = RateLimiter(max_failures=100, log=FailureLog({str(path)!r}))
        for _ in range(25):
            limiter.failure("awa")
    """
    workers = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)])
               for _ in range(2)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    table, digest = FailureLog(path).read("names")
    assert len(table[digest("awa")]) == 50


def test_an_administrator_can_lift_a_lock_from_the_cli(store):
    names = RateLimiter(log=store.failure_log(), scope="names")
    for _ in range(MAX_FAILURES):
        names.failure("awa")
    assert sign_in("awa", PASSWORD, store=store).reason == "locked"
    done = CliRunner().invoke(main, ["--lang", "en", "editor", "unlock", "awa",
                                     "--file", str(store.path)])
    assert done.exit_code == 0
    assert done.output.strip() == ("The failed sign-ins of 'awa' are forgotten: "
                                   "this name may sign in again.")
    assert sign_in("awa", PASSWORD, store=store).ok
