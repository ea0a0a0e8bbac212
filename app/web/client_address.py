"""The client's address, for limits: the connection's peer, or what a trusted proxy says.

X-Forwarded-For is believed only when the peer is a proxy the operator listed
(TORCHQUIZ_TRUSTED_PROXIES), and then only its right-most entry that is not itself a
listed proxy: anything left of that was written by the client (security review 3,
finding 8). `torchquiz serve` turns uvicorn's own handling of the header off."""

from collections.abc import Sequence
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from fastapi import Request

from app.web.state import app_state

Networks = tuple[IPv4Network | IPv6Network, ...]


@lru_cache(maxsize=8)
def trusted_networks(setting: str) -> Networks:
    """The networks a comma-separated TORCHQUIZ_TRUSTED_PROXIES lists (addresses or CIDRs)."""
    return tuple(
        ip_network(part.strip(), strict=False) for part in setting.split(",") if part.strip()
    )


def _trusted(address: str, networks: Sequence[IPv4Network | IPv6Network]) -> bool:
    try:
        parsed = ip_address(address.strip())
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def address_of(peer: str, forwarded_for: str | None, networks: Networks) -> str:
    """The client's address: the peer's, or, from a trusted peer, the right-most address
    in X-Forwarded-For that is not a trusted proxy."""
    if not networks or not forwarded_for or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:64]
    return hops[0][:64] if hops else peer


def client_address(request: Request) -> str:
    """This request's client address (see the module's docstring)."""
    peer = request.client.host if request.client else "unknown"
    networks = trusted_networks(app_state(request.app).settings.trusted_proxies)
    return address_of(peer, request.headers.get("x-forwarded-for"), networks)
