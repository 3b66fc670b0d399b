"""Winnowed fingerprints of what each student wrote, and the overlap of every pair.

Winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003, the method of MOSS): hash every run
of ``K`` consecutive normalised tokens (a k-gram) and keep, in every window of ``W``
consecutive k-gram hashes, the smallest one. Any passage of at least ``K + W - 1`` tokens the
two submissions share is then certain to give a shared fingerprint, and passages shorter than
``K`` tokens never do (noise: ``return V - V * V ;`` is written alike by everyone).

K-grams never span boilerplate (see ``boilerplate``) nor a ``def``/``class``: each function's
added code is fingerprinted on its own, so reordering the functions changes nothing, and a
fingerprint is a set member, so where a function sits does not matter either.

For a pair (a, b) with fingerprint sets ``F_a`` and ``F_b``, the similarity of side a is
``|F_a ∩ F_b| / |F_a|``: the share of a's own work found in b. A copy padded with dead code
has a low share on its side but leaves the original's share high, so a pair's score is the
larger of the two. The pair work is one sparse product of the submission-by-fingerprint
incidence matrix with its transpose: integers, never text.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from autograder.similarity.boilerplate import Boilerplate
from autograder.similarity.tokens import normalise

K = 10  # tokens in a k-gram: shorter shared passages are noise
W = 6  # winnowing window: shared passages of K + W - 1 = 15 tokens are always found
_BREAKS = frozenset({"def", "class"})


@dataclass
class Fingerprints:
    """One submission's fingerprints and what is needed to show them."""

    name: str
    spans: dict[int, list[tuple[str, int, int]]] = field(default_factory=dict)  # hash -> (module, first, last line)
    added: dict[str, set[int]] = field(default_factory=dict)  # module -> lines holding the student's tokens
    sources: dict[str, str] = field(default_factory=dict)  # module -> its text
    _masks: dict[int, int] | None = field(default=None, repr=False, compare=False)

    @property
    def hashes(self) -> set[int]:
        return set(self.spans)

    def line_masks(self) -> dict[int, int]:
        """Each fingerprint's lines as the bits of an int (the modules' lines numbered one after
        the other), so counting the lines a pair shares is OR and popcount, not set unions."""
        if self._masks is None:
            offsets, start = {}, 0
            for module, source in self.sources.items():
                offsets[module] = start
                start += source.count("\n") + 2
            self._masks = {}
            for h, spans in self.spans.items():
                bits = 0
                for module, first, last in spans:
                    bits |= ((1 << (last - first + 1)) - 1) << (offsets[module] + first)
                self._masks[h] = bits
        return self._masks


def _symbol_id(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))  # stable across runs, unlike hash() of a str


def winnow(hashes: list[int], window: int = W) -> list[int]:
    """Positions chosen by winnowing: the rightmost minimum of each window, each once."""
    if len(hashes) <= window:
        return [min(range(len(hashes)), key=lambda i: (hashes[i], -i))] if hashes else []
    chosen: list[int] = []
    for start in range(len(hashes) - window + 1):
        best = start
        for i in range(start + 1, start + window):
            if hashes[i] <= hashes[best]:
                best = i
        if not chosen or chosen[-1] != best:
            chosen.append(best)
    return chosen


def fingerprint(name: str, sources: dict[str, str], boilerplate: Boilerplate) -> Fingerprints:
    """The fingerprints of one submission's modules (``module -> text``)."""
    result = Fingerprints(name, sources=dict(sources))
    for module, source in sources.items():
        tokens = normalise(source)
        masked = boilerplate.mask(module, tokens)
        result.added[module] = {t.line for t, m in zip(tokens, masked) if not m and t.text != ";"}
        run: list = []
        for token, is_boilerplate in zip(tokens, masked):
            if is_boilerplate or token.text in _BREAKS:
                _add_run(result, module, run)
                run = []
            if not is_boilerplate:
                run.append(token)
        _add_run(result, module, run)
    return result


def _add_run(result: Fingerprints, module: str, run: list) -> None:
    if len(run) < K:
        return
    ids = [_symbol_id(t.text) for t in run]
    grams = [hash(tuple(ids[i:i + K])) for i in range(len(ids) - K + 1)]
    for i in winnow(grams):
        result.spans.setdefault(grams[i], []).append((module, run[i].line, run[i + K - 1].line))


@dataclass
class Pair:
    a: str
    b: str
    similarity_a: float  # share of a's fingerprints found in b
    similarity_b: float
    shared: int  # fingerprints in common
    lines_a: int = 0  # lines of a covered by shared fingerprints
    lines_b: int = 0

    @property
    def score(self) -> float:
        return max(self.similarity_a, self.similarity_b)


def overlaps(prints: list[Fingerprints]) -> np.ndarray:
    """``shared[i, j]``: the number of fingerprints submissions i and j have in common."""
    column: dict[int, int] = {}
    rows, cols = [], []
    for i, p in enumerate(prints):
        for h in p.spans:
            rows.append(i)
            cols.append(column.setdefault(h, len(column)))
    incidence = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                                  shape=(len(prints), max(len(column), 1)))
    return (incidence @ incidence.T).toarray()


def matched_lines(a: Fingerprints, b: Fingerprints) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """The lines of each side covered by fingerprints the two share, per module."""
    shared = a.spans.keys() & b.spans.keys()
    return _lines(a, shared), _lines(b, shared)


def _lines(side: Fingerprints, shared: set[int]) -> dict[str, set[int]]:
    lines: dict[str, set[int]] = {}
    for h in shared:
        for module, first, last in side.spans[h]:
            lines.setdefault(module, set()).update(range(first, last + 1))
    return lines


def _count_lines(a: dict[int, int], b: dict[int, int]) -> tuple[int, int]:
    bits_a = bits_b = 0
    for h in a.keys() & b.keys():
        bits_a |= a[h]
        bits_b |= b[h]
    return bits_a.bit_count(), bits_b.bit_count()


def compare(prints: list[Fingerprints]) -> list[Pair]:
    """Every pair (i < j), most similar first."""
    shared = overlaps(prints)
    sizes = np.diag(shared)
    masks = [p.line_masks() for p in prints]
    pairs = []
    for i in range(len(prints)):
        for j in range(i + 1, len(prints)):
            common = int(shared[i, j])
            pair = Pair(prints[i].name, prints[j].name, float(common / sizes[i]) if sizes[i] else 0.0,
                        float(common / sizes[j]) if sizes[j] else 0.0, common)
            if common:
                pair.lines_a, pair.lines_b = _count_lines(masks[i], masks[j])
            pairs.append(pair)
    pairs.sort(key=lambda p: (-p.score, -p.shared, p.a, p.b))
    return pairs
