import pytest

from scrape.crawl.urls import address_allowed, canonicalize, same_site
from scrape.errors import UnsafeURL


@pytest.mark.parametrize("raw, expected", [
    ("HTTP://Example.COM:80/a?b=1#frag", "http://example.com/a?b=1"),
    ("https://example.com:443", "https://example.com/"),
    ("https://example.com:8443/x", "https://example.com:8443/x"),
    ("https://example.com/a?utm_source=x&utm_medium=y&id=7&fbclid=z", "https://example.com/a?id=7"),
    ("https://example.com/a?b=2&a=1&gclid=q", "https://example.com/a?a=1&b=2"),
    ("https://example.com/a?utm_campaign=x", "https://example.com/a"),
    ("https://example.com/a?empty=", "https://example.com/a?empty="),
])
def test_canonicalize(raw, expected):
    assert canonicalize(raw) == expected


def test_canonicalize_resolves_relative_links():
    assert canonicalize("../b.html#x", "https://example.com/news/a/") == "https://example.com/news/b.html"


@pytest.mark.parametrize("bad", ["ftp://example.com/x", "mailto:a@b.c", "javascript:alert(1)", "file:///etc/passwd",
                                 "http:///nohost"])
def test_canonicalize_refuses_other_schemes(bad):
    with pytest.raises(UnsafeURL):
        canonicalize(bad)


def test_same_site_ignores_www():
    assert same_site("https://www.example.com/a", "http://example.com/b")
    assert not same_site("https://example.com/a", "https://example.org/a")


@pytest.mark.parametrize("address, allowed", [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("::1", False), ("fe80::1", False), ("fd00::1", False),
    ("::ffff:127.0.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
])
def test_address_allowed(address, allowed):
    assert address_allowed(address, allow_private=False) is allowed
    assert address_allowed(address, allow_private=True)
