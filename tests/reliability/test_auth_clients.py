"""Who the per-client sign-in limit counts: the peer, or the client behind a trusted proxy."""

from __future__ import annotations

import pytest

from atlas.errors import AtlasError
from atlas.signin_limits import LOCAL_CLIENT, client_address

SPOOFED = {"X-Forwarded-For": "203.0.113.50"}


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored():
    assert client_address("198.51.100.7", SPOOFED, trusted="") == "198.51.100.7"


def test_a_local_connection_is_the_local_client():
    assert client_address(None, None, trusted="") == LOCAL_CLIENT
    assert client_address("127.0.0.1", SPOOFED, trusted="") == LOCAL_CLIENT
    assert client_address("::1", None, trusted="") == LOCAL_CLIENT


def test_behind_a_local_trusted_proxy_the_forwarded_address_counts():
    # Streamlit reports a local peer as None: that is the proxy on 127.0.0.1.
    assert client_address(None, SPOOFED, trusted="127.0.0.1") == "203.0.113.50"


def test_the_right_most_untrusted_hop_is_the_client():
    headers = {"x-forwarded-for": "6.6.6.6, 198.51.100.4, 10.0.0.3"}
    # 6.6.6.6 was typed by the client itself; 10.0.0.3 is a second, trusted proxy.
    assert client_address("10.0.0.2", headers, trusted="10.0.0.0/8") == "198.51.100.4"


def test_an_untrusted_peer_cannot_choose_its_address():
    assert client_address("198.51.100.7", SPOOFED, trusted="10.0.0.0/8") == "198.51.100.7"


def test_a_garbage_hop_stops_the_walk_at_the_last_trusted_proxy():
    headers = {"X-Forwarded-For": "not-an-address"}
    assert client_address("10.0.0.2", headers, trusted="10.0.0.0/8") == "10.0.0.2"


def test_ipv6_clients_share_their_slash_64():
    first = client_address("2001:db8:1:2::10", None, trusted="")
    second = client_address("2001:db8:1:2:ffff::1", None, trusted="")
    assert first == second == "2001:db8:1:2::/64"
    assert client_address("::ffff:198.51.100.7", None, trusted="") == "198.51.100.7"


def test_the_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ATLAS_TRUSTED_PROXY", "192.0.2.1, 10.0.0.0/8")
    assert client_address("192.0.2.1", SPOOFED) == "203.0.113.50"
    monkeypatch.delenv("ATLAS_TRUSTED_PROXY")
    assert client_address("192.0.2.1", SPOOFED) == "192.0.2.1"


def test_a_wrong_setting_is_a_sentence():
    with pytest.raises(AtlasError) as raised:
        client_address("192.0.2.1", SPOOFED, trusted="10.0.0.0/8, proxy.local")
    assert raised.value.message("en").startswith("Invalid ATLAS_TRUSTED_PROXY setting: "
                                                 "'proxy.local'")
    assert "ATLAS_TRUSTED_PROXY invalide" in raised.value.message("fr")
