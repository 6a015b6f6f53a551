"""One RDF file written by Oxigraph from N-Triples pieces, in a process of its own.

`atcgraph build` writes the big files of the release at the same time, each by
``python -m atcgraph.writer SPEC`` (export.background): Oxigraph's writers hold Python's
interpreter lock, so threads would not run them side by side. This module imports pyoxigraph
alone, so the process starts at once. SPEC is JSON, made by formats.conversion: [pieces, media
type of the pieces, media type to write, prefixes, text to end with, target file]; a piece is a
file name or [text], and the pieces are read one after the other, as one stream.
"""

from __future__ import annotations

import io
import json
import os
import sys

import pyoxigraph as ox


def write(pieces: list[str | list[str]], source: str, fmt: str, prefixes: dict[str, str] | None, tail: str,
          target: str) -> None:
    with open(target, "wb") as out:
        quads = ox.parse(io.BufferedReader(_Pieces(pieces), 1 << 20), format=ox.RdfFormat.from_media_type(source))
        ox.serialize(quads, out, ox.RdfFormat.from_media_type(fmt), prefixes=prefixes)
        out.write(tail.encode("utf-8"))


class _Pieces(io.RawIOBase):
    """Files and texts read one after the other."""

    def __init__(self, pieces: list[str | list[str]]) -> None:
        self._pieces = (open(p, "rb") if isinstance(p, str) else io.BytesIO(p[0].encode("utf-8")) for p in pieces)
        self._now = next(self._pieces, None)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._now is not None:
            n = self._now.readinto(buffer)
            if n:
                return n
            self._now.close()
            self._now = next(self._pieces, None)
        return 0


if __name__ == "__main__":
    os.nice(10)  # the build waits for reasoning and validation first; writers take the idle time
    write(*json.loads(sys.argv[1]))
