"""URL handling for the crawler: canonical form, site membership, address safety. No I/O.

Canonical URLs are what the state de-duplicates on: scheme and host lower-cased, default
port dropped, fragment dropped, tracking parameters (`utm_*`, `fbclid`, ...) removed and the
remaining query parameters sorted, so that one article found through a feed, a sitemap and a
tracked share link is fetched once.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from ..errors import UnsafeURL

SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that only say who shared or which campaign led to a page.
_TRACKING = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "igshid", "twclid", "ttclid",
    "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
    "vero_id", "wt_mc", "wt.mc_id", "ocid", "cmpid", "ncid", "sr_share", "at_medium",
    "at_campaign", "ito", "cid_source",
})
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_custom", "__twitter")


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in _TRACKING or name.startswith(_TRACKING_PREFIXES)


def canonicalize(url: str, base: str | None = None) -> str:
    """The canonical form of `url` (resolved against `base` when relative).

    Raises:
        UnsafeURL: the URL is not http(s) or has no host.
    """
    if base:
        url = urljoin(base, url.strip())
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UnsafeURL(f"scheme {scheme or 'missing'!r} is not http or https", url)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeURL("no host", url)
    try:
        port = parts.port
    except ValueError:
        raise UnsafeURL("bad port", url) from None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = parts.path or "/"
    query = ""
    if parts.query:
        params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
        query = urlencode(sorted(params), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    """`host[:port]` of an URL, the unit of politeness."""
    return urlsplit(url).netloc.lower()


def site_of(url: str) -> str:
    """The host without a leading `www.`, for same-site checks."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def same_site(url: str, other: str) -> bool:
    return site_of(url) == site_of(other)


def address_allowed(address: str, allow_private: bool) -> bool:
    """False for every address that is not globally reachable: loopback, private, shared
    (100.64.0.0/10, where some clouds keep their metadata service), link-local, site-local,
    multicast, reserved and unspecified ones.

    IPv4-mapped and 6to4 IPv6 addresses are judged by the IPv4 address they carry.
    """
    if allow_private:
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip.is_site_local:
            return False
    return ip.is_global and not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                                 or ip.is_reserved or ip.is_unspecified)


def check_url(url: str) -> str:
    """`url` itself when it is a fetchable http(s) URL with a host.

    Raises:
        UnsafeURL: another scheme, or no host.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise UnsafeURL(f"scheme {parts.scheme or 'missing'!r} is not http or https", url)
    if not parts.hostname:
        raise UnsafeURL("no host", url)
    return url
