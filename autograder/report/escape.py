"""Make untrusted text harmless before it goes into any report.

Everything a submission can influence (its file name, the messages built from what its code
returned or raised, its printed output) reaches the reports through :func:`clean_text`:

1. bytes are decoded as UTF-8, invalid sequences becoming U+FFFD; lone surrogates in a ``str``
   (what ``surrogateescape`` decoding makes of bad bytes) become U+FFFD too, so the text can
   always be encoded as UTF-8 again;
2. terminal escape sequences (ANSI colours, cursor moves, OSC window titles and hyperlinks)
   are removed, then every other control character except newline and tab; ``\\r\\n`` becomes
   ``\\n``. The Unicode bidirectional overrides and isolates go too: they can make a report line
   read differently from what it contains;
3. the result is capped at ``max_chars``, keeping the start and the end (where a traceback
   says what went wrong) around a marker that says how much was cut.

The result is plain text, safe for JSON, CSV and terminals. HTML and Markdown still need
their own escaping on top (``html.escape``; the Markdown writer fences or backslash-escapes).

:func:`csv_cell` adds the defence against spreadsheet formula injection (OWASP, "CSV
Injection"): a text cell whose first non-blank character is ``=``, ``+``, ``-`` or ``@``, or
that starts with a tab or carriage return, gets a leading apostrophe, so spreadsheets show it
as text instead of evaluating it. Numbers stay numbers: only ``str``/``bytes`` cells are
touched, so a score of -1.5 is still written as a number.
"""

from __future__ import annotations

import math
import numbers
import re

MAX_CHARS = 4000

# An unterminated string sequence stops at the end of its line: a terminal would hide
# everything after it, but a report should not lose the lines that follow.
_ANSI = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]               # CSI: colours, cursor movement, erase line/screen
    | \x9b[0-?]*[ -/]*[@-~]                 # the same with the 8-bit CSI introducer
    | \x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?  # OSC: window title, hyperlinks; ends with BEL or ST
    | \x1b[PX^_][^\x1b\n]*(?:\x1b\\)?       # DCS, SOS, PM, APC strings, ended by ST
    | \x1b[ -/]*[0-~]                       # any other escape sequence (charset, keypad, reset)
    """,
    re.VERBOSE,
)
# C0 and C1 controls and DEL, except tab (09) and newline (0a).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides, isolates and marks ("Trojan Source", CVE-2021-42574).
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")

# OWASP's list of characters that make a spreadsheet treat a cell as a formula. Its other two,
# tab and carriage return, count only as the very first character; clean_text already drops
# carriage returns.
_FORMULA_START = ("=", "+", "-", "@")


def clean_text(text: str | bytes | None, max_chars: int | None = MAX_CHARS) -> str:
    """Untrusted text as harmless plain text (see the module docstring).

    Parameters
    ----------
    text : str, bytes (decoded as UTF-8 with replacement) or None (gives ``""``)
    max_chars : keep at most this many characters of content (plus the cut marker);
        ``None`` keeps everything

    Returns
    -------
    str : no control characters other than ``\\n`` and ``\\t``, no escape sequences, no lone
        surrogates
    """
    if text is None:
        return ""
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = str(text)
    text = _SURROGATE.sub("\ufffd", text)
    text = _ANSI.sub("", text)
    text = text.replace("\r\n", "\n")
    text = _CONTROL.sub("", text)
    text = _BIDI.sub("", text)
    if max_chars is not None and len(text) > max_chars:
        text = _cut_middle(text, max_chars)
    return text


def _cut_middle(text: str, max_chars: int) -> str:
    # Keep two thirds from the start and one third from the end: the head says what was being
    # checked, the tail of a traceback says what went wrong.
    head = (2 * max_chars) // 3
    tail = max_chars - head
    cut = len(text) - head - tail
    end = text[len(text) - tail:] if tail else ""
    return f"{text[:head]}\n[... {cut} characters cut ...]\n{end}"


def one_line(text: str | bytes | None, max_chars: int | None = 200) -> str:
    """:func:`clean_text` on one line: every run of whitespace (newlines too) becomes a space.

    Longer text is cut at ``max_chars`` characters, the last one being ``…``.
    """
    flat = " ".join(clean_text(text, max_chars=None).split())
    if max_chars is None or len(flat) <= max_chars:
        return flat
    return flat[: max_chars - 1] + "…"


def csv_cell(value: object) -> str | int | float:
    """A value ready for ``csv.writer``: numbers unchanged, text cleaned and made inert.

    ``None`` and NaN become an empty cell (read back as missing). Text is passed through
    :func:`clean_text` and gets a leading ``'`` if a spreadsheet would take it for a formula:
    its first non-blank character is one of ``= + - @``, or its first character is a tab or
    carriage return (OWASP CSV-injection guidance).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return "" if math.isnan(value) else value
    text = clean_text(value if isinstance(value, (str, bytes)) else str(value))
    if text.startswith("\t") or text.lstrip().startswith(_FORMULA_START):
        return "'" + text
    return text
