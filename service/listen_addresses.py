"""Listen addresses as the flags take them: HOST:PORT, [IPV6]:PORT or a host alone, and whether
an address is reachable only from this machine."""

from __future__ import annotations

import ipaddress

DEFAULT_PORT = 50051
MAX_PORT = 65535


def host_and_port(listen: str) -> tuple[str, int]:
    """The host and port of HOST:PORT, [IPV6]:PORT, or a host alone (port 50051; an IPv6
    address alone needs no brackets); ValueError for anything else."""
    text = listen.strip()
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(listen)
        port_text = rest[1:] if rest else None
    elif text.count(":") > 1:  # an IPv6 address without brackets has no port
        host, port_text = text, None
    else:
        host, colon, port_text_or_empty = text.partition(":")
        port_text = port_text_or_empty if colon else None
    if not host or (port_text is not None and not port_text.isdigit()):
        raise ValueError(listen)
    port = DEFAULT_PORT if port_text is None else int(port_text)
    if port > MAX_PORT:
        raise ValueError(listen)
    return host, port


def listen_address(text: str) -> str:
    """A listen address as gRPC takes it: HOST:PORT, or [IPV6]:PORT."""
    host, port = host_and_port(text)
    if _is_localhost(host):
        host = "localhost"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


listen_address.__name__ = "listen address (HOST:PORT, [IPV6]:PORT or HOST for port 50051)"


def metrics_address(text: str) -> str:
    """The address of the metrics endpoint: HOST:PORT or [IPV6]:PORT, the port (0 to 65535)
    always given."""
    stripped = text.strip()
    has_port = "]:" in stripped if stripped.startswith("[") else stripped.count(":") == 1
    if not has_port:
        raise ValueError(text)
    return listen_address(stripped)


metrics_address.__name__ = "metrics address (HOST:PORT or [IPV6]:PORT; port 0 picks one)"


def _is_localhost(host: str) -> bool:
    return host.lower().rstrip(".") == "localhost"


def is_loopback(listen: str) -> bool:
    """Whether a listen address is reachable only from this machine."""
    host = host_and_port(listen)[0]
    if _is_localhost(host):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
