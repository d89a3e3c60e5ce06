"""scrypt at OWASP's cost (N=2^17), and old, cheaper hashes upgraded at the next sign-in."""

from __future__ import annotations

import tomllib

import pytest

from atlas.auth import (
    SCRYPT_N,
    AuthError,
    EditorStore,
    RateLimiter,
    hash_password,
    sign_in,
)

PASSWORD = "mot de passe sûr"
OLD_N = 2**14
SALT = bytes(range(16))


def stored(path) -> dict:
    with open(path, "rb") as handle:
        return tomllib.load(handle)["editors"]


def write_old_account(path, n: int = OLD_N, r: int = 8, p: int = 1) -> None:
    """An editors file as the previous version wrote it: N=2^14."""
    digest = hash_password(PASSWORD, SALT, n=n, r=r, p=p) if n <= 2**20 else b"\0" * 32
    path.write_text(f'[editors."awa"]\nsalt = "{SALT.hex()}"\nhash = "{digest.hex()}"\n'
                    f'n = {n}\nr = {r}\np = {p}\ncreated = "2024-01-02T03:04:05+00:00"\n')


def test_new_accounts_use_n_2_17_r_8_p_1(tmp_path):
    EditorStore(tmp_path / "editors.toml").add("awa", PASSWORD)
    entry = stored(tmp_path / "editors.toml")["awa"]
    assert (entry["n"], entry["r"], entry["p"]) == (2**17, 8, 1) == (SCRYPT_N, 8, 1)
    assert bytes.fromhex(entry["hash"]) == hash_password(
        PASSWORD, bytes.fromhex(entry["salt"]), n=2**17, r=8, p=1)


@pytest.mark.slow
def test_an_old_cost_hash_is_rehashed_when_its_editor_signs_in(tmp_path):
    path = tmp_path / "editors.toml"
    write_old_account(path)
    outcome = sign_in("awa", PASSWORD, store=EditorStore(path), limiter=RateLimiter(),
                      client_limiter=RateLimiter())
    assert outcome.ok
    entry = stored(path)["awa"]
    assert entry["n"] == 2**17 and bytes.fromhex(entry["salt"]) != SALT
    assert bytes.fromhex(entry["hash"]) == hash_password(PASSWORD, bytes.fromhex(entry["salt"]))
    assert entry["created"] == "2024-01-02T03:04:05+00:00"  # still the same account
    assert EditorStore(path).verify("awa", PASSWORD)


def test_a_wrong_password_leaves_the_old_hash_alone(tmp_path):
    path = tmp_path / "editors.toml"
    write_old_account(path)
    before = path.read_bytes()
    assert not EditorStore(path).verify("awa", "pas le bon mot")
    assert path.read_bytes() == before


@pytest.mark.parametrize(("n", "r", "p"), [(2**30, 8, 1), (3000, 8, 1), (2**14, 0, 1),
                                           (2**14, 8, 99)])
def test_a_tampered_cost_is_a_sentence_not_a_memory_blow_up(tmp_path, n, r, p):
    path = tmp_path / "editors.toml"
    write_old_account(path, n=2**14, r=8, p=1)
    path.write_text(path.read_text().replace(f"n = {2**14}", f"n = {n}")
                    .replace("r = 8", f"r = {r}").replace("p = 1", f"p = {p}"))
    with pytest.raises(AuthError) as raised:
        EditorStore(path).verify("awa", PASSWORD)
    assert raised.value.key == "app.auth.bad_file"
    assert "editors.awa" in raised.value.message("en")
