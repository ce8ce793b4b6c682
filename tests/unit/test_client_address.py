from ipaddress import ip_network

import pytest

from portal_onboarding.core.client_address import (
	client_address,
	parse_address,
	parse_trusted_proxies,
	rate_limit_bucket,
)
from portal_onboarding.core.validation import SettingsInput, check_settings, check_trusted_proxies

LOOPBACK = parse_trusted_proxies("127.0.0.1\n::1").networks
CLINIC = parse_trusted_proxies("10.20.0.0/16\n127.0.0.1").networks


def test_an_untrusted_peer_is_the_client_whatever_it_forwards():
	assert client_address("203.0.113.5", "192.0.2.66", LOOPBACK) == "203.0.113.5"
	assert client_address("203.0.113.5", "192.0.2.66, 127.0.0.1", LOOPBACK) == "203.0.113.5"
	assert client_address("203.0.113.5", None, LOOPBACK) == "203.0.113.5"


def test_nginx_appended_chain_gives_the_address_nginx_saw():
	# $proxy_add_x_forwarded_for: what the client sent, then the client's real address.
	assert client_address("127.0.0.1", "192.0.2.66, 203.0.113.5", LOOPBACK) == "203.0.113.5"
	assert client_address("127.0.0.1", "203.0.113.5", LOOPBACK) == "203.0.113.5"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
	chain = "192.0.2.66, 203.0.113.5, 10.20.0.1, 10.20.3.4"
	assert client_address("10.20.0.2", chain, CLINIC) == "203.0.113.5"


def test_an_untrusted_hop_in_the_chain_is_as_far_as_it_goes():
	# 198.51.100.7 is no proxy of this site: whatever is left of it, it may have written itself.
	chain = "203.0.113.5, 198.51.100.7, 10.20.0.1"
	assert client_address("10.20.0.2", chain, CLINIC) == "198.51.100.7"


def test_every_entry_trusted_gives_the_leftmost():
	assert client_address("10.20.0.2", "10.20.9.9, 10.20.0.1", CLINIC) == "10.20.9.9"


def test_a_trusted_peer_without_the_header_is_the_client():
	assert client_address("127.0.0.1", None, LOOPBACK) == "127.0.0.1"
	assert client_address("127.0.0.1", "  ", LOOPBACK) == "127.0.0.1"


@pytest.mark.parametrize(
	"chain, expected",
	[
		("192.0.2.66, unknown", "127.0.0.1"),  # nothing trusted read yet: the peer
		("192.0.2.66, , 10.20.0.1", "10.20.0.1"),  # the last trusted entry read
		("192.0.2.66, _hidden, 10.20.9.9, 10.20.0.1", "10.20.9.9"),
		("192.0.2.66,", "127.0.0.1"),
	],
)
def test_a_malformed_entry_stops_at_the_nearest_hop_known_for_certain(chain, expected):
	assert client_address("127.0.0.1", chain, CLINIC) == expected


def test_without_trusted_proxies_the_header_never_counts():
	assert client_address("127.0.0.1", "203.0.113.5", ()) == "127.0.0.1"


def test_a_local_socket_peer_is_read_as_a_proxy():
	assert client_address("", "192.0.2.66, 203.0.113.5", LOOPBACK) == "203.0.113.5"
	assert client_address(None, None, LOOPBACK) is None
	assert client_address(None, "garbage", LOOPBACK) is None


def test_ipv6_peers_and_chains():
	assert client_address("2001:db8::5", "192.0.2.66", LOOPBACK) == "2001:db8::5"
	assert client_address("::1", "192.0.2.66, [2001:db8::5]:443", LOOPBACK) == "2001:db8::5"
	assert client_address("::ffff:127.0.0.1", "203.0.113.5", LOOPBACK) == "203.0.113.5"


@pytest.mark.parametrize(
	"written, expected",
	[
		("203.0.113.5", "203.0.113.5"),
		(" 203.0.113.5:8080 ", "203.0.113.5"),
		("2001:DB8::5", "2001:db8::5"),
		("[2001:db8::5]", "2001:db8::5"),
		("[2001:db8::5]:443", "2001:db8::5"),
		("::ffff:198.51.100.7", "198.51.100.7"),
	],
)
def test_addresses_as_servers_and_proxies_write_them(written, expected):
	assert str(parse_address(written)) == expected


@pytest.mark.parametrize(
	"written", [None, "", "unknown", "203.0.113.5:http", "[2001:db8::5", "[2001:db8::5]x", "1:2", "300.1.1.1"]
)
def test_what_is_no_address(written):
	assert parse_address(written) is None


def test_ipv4_is_counted_alone():
	assert rate_limit_bucket("203.0.113.5") == "203.0.113.5"
	assert rate_limit_bucket("203.0.113.6") != rate_limit_bucket("203.0.113.5")


def test_ipv6_is_counted_by_its_64():
	bucket = rate_limit_bucket("2001:db8:1:2::5")
	assert bucket == "2001:db8:1:2::/64"
	assert rate_limit_bucket("2001:db8:1:2:ffff:ffff:ffff:ffff") == bucket
	assert rate_limit_bucket("2001:db8:1:3::5") != bucket
	assert rate_limit_bucket("fe80::1%eth0") == "fe80::/64"


def test_settings_lines_become_networks():
	proxies = parse_trusted_proxies(" 10.0.0.5 \n\n10.1.2.3/8\r\n2001:db8::/48\n")
	assert proxies.networks == (
		ip_network("10.0.0.5/32"),
		ip_network("10.0.0.0/8"),
		ip_network("2001:db8::/48"),
	)
	assert proxies.invalid == ()


@pytest.mark.parametrize("text", [None, "", " \n "])
def test_an_empty_setting_trusts_the_loopback_addresses(text):
	assert parse_trusted_proxies(text).networks == LOOPBACK


def test_invalid_settings_lines_are_reported():
	proxies = parse_trusted_proxies("10.0.0.5\nproxy.clinic.example\n10.0.0.0/33\n10.0.0.1, 10.0.0.2")
	assert proxies.networks == (ip_network("10.0.0.5/32"),)
	assert proxies.invalid == ("proxy.clinic.example", "10.0.0.0/33", "10.0.0.1, 10.0.0.2")


def test_invalid_settings_lines_refuse_the_save():
	reasons = check_trusted_proxies("10.0.0.5\nproxy.clinic.example")
	assert [r.code for r in reasons] == ["trusted_proxies"]
	assert reasons[0].text().startswith("Trusted Proxies: proxy.clinic.example is not an IP address")
	assert check_trusted_proxies("10.0.0.0/8\n::1") == []
	assert check_trusted_proxies(None) == []
	reasons = check_settings(SettingsInput(72, trusted_proxies="a\nb"))
	assert [r.code for r in reasons] == ["trusted_proxies", "trusted_proxies"]
