"""HTTP to SPARQL 1.1 stores (Protocol and Graph Store Protocol), with the standard library.

Every call has a timeout, and every failure becomes one AtcGraphError a person can act on:
the store is down, did not answer in time, or refused (with the store's own message).
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request

from atcgraph.errors import AtcGraphError

DEFAULT_TIMEOUT = 60.0  # seconds; a whole release upload takes well under one on a local store


def request(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None,
            timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """The response body of one HTTP request, or an AtcGraphError saying why there is none."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise AtcGraphError(f"{url!r} is not an http(s) URL")
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.read()
    except urllib.error.HTTPError as exc:
        raise AtcGraphError(f"{url} refused the request: HTTP {exc.code} {exc.reason}{_message(exc)}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise AtcGraphError(f"{url} did not answer within {timeout:g} s") from exc
        raise AtcGraphError(f"cannot reach {url}: {exc.reason}") from exc
    except TimeoutError as exc:  # timed out while reading the answer
        raise AtcGraphError(f"{url} did not answer within {timeout:g} s") from exc
    except (http.client.HTTPException, ConnectionError) as exc:
        raise AtcGraphError(f"{url}: the connection failed: {exc}") from exc


def with_query(url: str, **params: str | None) -> str:
    """``url`` with parameters added to its query string (a flag when the value is None)."""
    parts = urllib.parse.urlsplit(url)
    extra = "&".join(urllib.parse.quote(k) if v is None else urllib.parse.urlencode({k: v})
                     for k, v in params.items())
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urllib.parse.urlunsplit(parts._replace(query=query))


def _message(exc: urllib.error.HTTPError) -> str:
    """The first lines of the store's explanation, if it gave one."""
    try:
        text = exc.read(2000).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return f": {' '.join(lines[:3])}" if lines else ""
