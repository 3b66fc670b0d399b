"""Python source as a list of normalised tokens: what survives the usual disguises of a copy.

Python's own :mod:`tokenize` reads the text (it never runs it), then:

- comments, blank lines, indentation and docstrings (any statement that is only a string)
  are dropped: rewording or removing them changes nothing;
- every name a student chooses (variables, functions, parameters, attributes of ``self``)
  becomes ``V``, so renaming changes nothing; keywords, builtins (``range``, ``len``...) and
  attributes of anything else (``np.mean``, ``.shape``) are kept, because they are the
  structure of the code rather than a choice of name;
- numbers become ``N`` and strings (f-strings included) ``S``;
- the end of a statement is one token ``;``, so a line break inside brackets does not count.

Each token keeps the line it starts on, for showing the matched lines. Text that does not
tokenize (a syntax error) keeps the tokens read up to the error.
"""

from __future__ import annotations

import builtins
import io
import keyword
import tokenize
from typing import NamedTuple

KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(n for n in dir(builtins) if not n.startswith("_"))
_DROPPED = (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.TYPE_COMMENT)
_STATEMENT_START = (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)


class Token(NamedTuple):
    text: str  # the normalised token
    line: int  # 1-based line of the source where it starts


def _raw_tokens(source: str) -> list[tokenize.TokenInfo]:
    found: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type not in _DROPPED:
                found.append(token)
    except (tokenize.TokenError, SyntaxError):  # unbalanced brackets, bad indentation: keep what was read
        pass
    return found


def normalise(source: str) -> list[Token]:
    """The normalised tokens of ``source`` (see the module docstring)."""
    raw = _raw_tokens(source)
    out: list[Token] = []
    i = 0
    while i < len(raw):
        token = raw[i]
        if token.type == tokenize.STRING and (i == 0 or raw[i - 1].type in _STATEMENT_START):
            j = i
            while j < len(raw) and raw[j].type == tokenize.STRING:
                j += 1
            if j == len(raw) or raw[j].type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                i = j + 1  # a docstring, or a string used as a comment: drop it with its end of statement
                continue
        text = _symbol(raw, i)
        if text is not None:
            out.append(Token(text, token.start[0]))
        i += 1
    return out


def _symbol(raw: list[tokenize.TokenInfo], i: int) -> str | None:
    token = raw[i]
    if token.type == tokenize.NAME:
        if token.string in KEPT_NAMES:
            return token.string
        after_dot = i >= 1 and raw[i - 1].type == tokenize.OP and raw[i - 1].string == "."
        if after_dot and not (i >= 2 and raw[i - 2].string == "self"):
            return token.string  # an attribute of a module or an array: np.mean, X.shape
        return "V"
    if token.type == tokenize.NUMBER:
        return "N"
    if token.type == tokenize.STRING:
        return "S"
    if token.type == tokenize.NEWLINE:
        return ";"
    if token.type in (tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
        return None
    return token.string
