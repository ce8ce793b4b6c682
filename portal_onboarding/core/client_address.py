"""Which address a request came from when reverse proxies stand in front of the site.

X-Forwarded-For is a list each proxy extends with the address it was connected from, so its leftmost
entries are whatever the client chose to send. Only entries written by a trusted proxy count, and
they are read from the right, from the connection inwards.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network

# Where bench's own nginx connects from; an empty setting (a site upgraded from before the setting
# existed) means these, or every client behind that nginx would share the proxy's one address.
DEFAULT_TRUSTED_PROXIES = "127.0.0.1\n::1"
# One client usually holds a whole IPv6 /64 and may pick any address in it at will.
IPV6_CLIENT_PREFIX = 64


@dataclass(frozen=True)
class TrustedProxies:
	"""The networks of the Trusted Proxies setting, and the lines that are none."""

	networks: tuple[Network, ...]
	invalid: tuple[str, ...] = ()


def parse_trusted_proxies(text: str | None) -> TrustedProxies:
	"""One address or CIDR network per line; blank lines are skipped, an empty text is the default."""
	lines = (text if text and text.strip() else DEFAULT_TRUSTED_PROXIES).splitlines()
	networks: list[Network] = []
	invalid: list[str] = []
	for line in lines:
		entry = line.strip()
		if not entry:
			continue
		try:
			# 10.1.2.3/8 is read as 10.0.0.0/8: what was meant is plain, and refusing it helps nobody.
			networks.append(ip_network(entry, strict=False))
		except ValueError:
			invalid.append(entry)
	return TrustedProxies(tuple(networks), tuple(invalid))


def parse_address(value: str | None) -> Address | None:
	"""An address as servers and proxies write it (with or without a port, IPv6 in brackets), or None."""
	text = (value or "").strip()
	if text.startswith("["):
		host, bracket, rest = text[1:].partition("]")
		if not bracket or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
			return None
		text = host
	elif text.count(":") == 1:
		host, _colon, port = text.partition(":")
		if not port.isdigit():
			return None
		text = host
	try:
		address = ip_address(text)
	except ValueError:
		return None
	# A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; they are the IPv4 client all the same.
	if isinstance(address, IPv6Address) and address.ipv4_mapped:
		return address.ipv4_mapped
	return address


def is_trusted(address: Address, trusted: Sequence[Network]) -> bool:
	"""Whether `address` is one of the trusted proxies."""
	return any(address in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str | None:
	"""The client's address, from the connection's own address (`peer`) and X-Forwarded-For.

	A peer that is not trusted is the client: whatever it says in X-Forwarded-For it wrote itself.
	A trusted peer's X-Forwarded-For is read from the right, skipping trusted proxies; the first entry
	that is not one is the client, as the nearest trusted proxy saw it. When every entry is a trusted
	proxy, the leftmost is as far as the chain goes.

	An entry that is no address stops the walk, and the answer is the nearest hop known for certain:
	the last trusted entry read, or the peer. Everything left of such an entry passed through a hop
	that wrote garbage, so none of it can be vouched for; a proxy's own address at worst puts that
	proxy's clients in one rate-limit budget, where an entry further left could be one a client chose.

	A peer that is no IP address is a local (Unix) socket, which only a process on this machine, such
	as the proxy, can open: it is read as a trusted proxy. None when nothing is known.
	"""
	nearest = parse_address(peer)
	if nearest is not None and not is_trusted(nearest, trusted):
		return str(nearest)
	entries = (forwarded_for or "").split(",") if (forwarded_for or "").strip() else []
	for entry in reversed(entries):
		address = parse_address(entry)
		if address is None:
			break
		if not is_trusted(address, trusted):
			return str(address)
		nearest = address
	return str(nearest) if nearest is not None else None


def rate_limit_bucket(address: str) -> str:
	"""Whom a rate limit counts: an IPv4 address itself, an IPv6 address's /64 network."""
	parsed = parse_address(address)
	if isinstance(parsed, IPv6Address):
		# From the integer, so a zone such as %eth0 does not end up in the network.
		return str(IPv6Network((int(parsed), IPV6_CLIENT_PREFIX), strict=False))
	return str(parsed) if parsed is not None else address
