"""Editor accounts: salted scrypt digests, a private file, a per-name rate limit, the CLI."""

from __future__ import annotations

import stat

import pytest
from click.testing import CliRunner

from atlas.auth import (
    MAX_FAILURES,
    AuthError,
    EditorStore,
    RateLimiter,
    hash_password,
    sign_in,
)
from atlas.cli import main


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path):
    editors = EditorStore(tmp_path / "editors.toml")
    editors.add("awa", "correct horse battery")
    return editors


@pytest.mark.slow
def test_passwords_are_stored_as_salted_digests_in_a_private_file(store):
    text = store.path.read_text()
    assert "correct horse" not in text
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.add("moussa", "correct horse battery")
    accounts = store.load()
    assert accounts["awa"].salt != accounts["moussa"].salt
    assert accounts["awa"].digest != accounts["moussa"].digest
    assert accounts["awa"].digest == hash_password("correct horse battery", accounts["awa"].salt)


@pytest.mark.slow
def test_verify_accepts_only_the_right_password(store):
    assert store.verify("awa", "correct horse battery")
    assert store.verify(" awa ", "correct horse battery")
    assert not store.verify("awa", "Correct horse battery")
    assert not store.verify("nobody", "correct horse battery")
    assert not store.verify("awa", "x" * 5000)


@pytest.mark.slow
def test_bad_names_short_passwords_and_duplicates_are_refused(store):
    with pytest.raises(AuthError, match="invalide"):
        store.add('a"] x', "long enough password")
    with pytest.raises(AuthError) as short:
        store.add("binta", "short")
    assert "8" in short.value.message("en")
    with pytest.raises(AuthError):
        store.add("awa", "another long password")
    store.add("awa", "another long password", replace=True)
    assert store.verify("awa", "another long password")


def test_a_missing_file_means_no_editor_and_a_broken_one_is_reported(tmp_path):
    assert EditorStore(tmp_path / "absent.toml").names() == []
    broken = tmp_path / "broken.toml"
    broken.write_text("[editors.x\n")
    with pytest.raises(AuthError):
        EditorStore(broken).load()


def test_the_file_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_EDITORS_FILE", str(tmp_path / "x.toml"))
    assert EditorStore().path == tmp_path / "x.toml"


@pytest.mark.slow
def test_rate_limit_locks_a_name_after_five_failures_then_forgets(store):
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    for _ in range(MAX_FAILURES - 1):
        assert sign_in("awa", "wrong password", store=store, limiter=limiter).reason == "wrong"
    last = sign_in("awa", "wrong password", store=store, limiter=limiter)
    assert last.reason == "locked" and last.retry_after == pytest.approx(300)
    # Locked: even the right password is refused, and the message says to wait.
    refused = sign_in("AWA", "correct horse battery", store=store, limiter=limiter)
    assert not refused.ok and refused.reason == "locked"
    assert "5 min" in refused.message("fr")
    # Other names are not affected.
    assert limiter.retry_after("moussa") == 0
    clock.now += 301
    ok = sign_in("awa", "correct horse battery", store=store, limiter=limiter)
    assert ok.ok and ok.user == "awa" and ok.message("en") == "Signed in as awa."


def test_failures_slide_out_of_the_window(store):
    clock = Clock()
    limiter = RateLimiter(max_failures=2, window=60, clock=clock)
    limiter.failure("awa")
    clock.now += 50
    limiter.failure("awa")
    assert limiter.retry_after("awa") == pytest.approx(10)
    clock.now += 11
    assert limiter.retry_after("awa") == 0


@pytest.mark.slow
def test_unknown_names_get_the_same_answer_and_count_too(store):
    limiter = RateLimiter(clock=Clock())
    unknown = sign_in("ghost", "whatever password", store=store, limiter=limiter)
    wrong = sign_in("awa", "whatever password", store=store, limiter=limiter)
    assert unknown.message("fr") == wrong.message("fr") == "Nom ou mot de passe incorrect."
    assert not sign_in("", "", store=store, limiter=limiter).ok


@pytest.mark.slow
def test_one_client_trying_many_names_is_stopped_too(store):
    names, clients = RateLimiter(clock=Clock()), RateLimiter(max_failures=3, clock=Clock())
    for name in ("ali", "binta", "coumba"):
        assert not sign_in(name, "guess guess", store=store, limiter=names,
                           client="10.0.0.7", client_limiter=clients).ok
    refused = sign_in("awa", "correct horse battery", store=store, limiter=names,
                      client="10.0.0.7", client_limiter=clients)
    assert refused.reason == "locked"
    assert sign_in("awa", "correct horse battery", store=store, limiter=names,
                   client="10.0.0.8", client_limiter=clients).ok


@pytest.mark.slow
def test_success_clears_the_failures(store):
    limiter = RateLimiter(clock=Clock())
    for _ in range(MAX_FAILURES - 1):
        sign_in("awa", "nope nope", store=store, limiter=limiter)
    assert sign_in("awa", "correct horse battery", store=store, limiter=limiter).ok
    assert sign_in("awa", "nope nope", store=store, limiter=limiter).reason == "wrong"


@pytest.mark.slow
def test_cli_adds_lists_and_removes_editors(tmp_path, monkeypatch):
    path = tmp_path / "editors.toml"
    monkeypatch.setenv("ATLAS_EDITORS_FILE", str(path))
    runner = CliRunner()
    added = runner.invoke(main, ["editor", "add", "fatou"],
                          input="un mot de passe\nun mot de passe\n")
    assert added.exit_code == 0, added.output
    assert "un mot de passe" not in path.read_text()
    assert EditorStore(path).verify("fatou", "un mot de passe")
    listed = runner.invoke(main, ["editor", "list"])
    assert listed.output.strip().splitlines()[-1] == "fatou"
    mismatch = runner.invoke(main, ["editor", "add", "ali"],
                             input="premier essai\nsecond essai\npremier essai\npremier essai\n")
    assert mismatch.exit_code == 0 and EditorStore(path).verify("ali", "premier essai")
    short = runner.invoke(main, ["--lang", "en", "editor", "add", "bob"], input="short\nshort\n")
    assert short.exit_code == 2 and "at least 8" in short.output
    removed = runner.invoke(main, ["editor", "remove", "fatou", "--file", str(path)])
    assert removed.exit_code == 0 and EditorStore(path).names() == ["ali"]
