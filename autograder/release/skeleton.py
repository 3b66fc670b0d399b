"""Student skeletons from the reference solutions: every solution block becomes a TODO.

A solution block is the run of lines between a ``# BEGIN SOLUTION: <hint>`` line and the
next ``# END SOLUTION`` line at the same indentation, inside a function or method::

    def step(theta, grads, lr):
        \"\"\"...\"\"\"
        # BEGIN SOLUTION: move against the gradient by lr
        return theta - lr * grads
        # END SOLUTION

In the skeleton the block and its markers become two lines at the markers' indentation::

        # TODO: move against the gradient by lr
        raise NotImplementedError("step: move against the gradient by lr")

Everything outside the markers (imports, signatures, docstrings, helper lines) is kept as it
is. Markers are whole lines, so this is plain line processing, not parsing Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.errors import UserError

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"


@dataclass(frozen=True)
class Block:
    """One solution block: its markers' 1-based line numbers, indentation, hint and function."""

    begin: int
    end: int
    indent: str
    hint: str
    function: str  # qualified name of the enclosing function, e.g. "SGD.update"


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _definition(stripped: str) -> str | None:
    """The name a ``def``/``class`` line defines, or None for any other line."""
    for keyword in ("def ", "async def ", "class "):
        if stripped.startswith(keyword):
            rest = stripped[len(keyword):]
            name = rest.split("(", 1)[0].split(":", 1)[0].strip()
            return name or None
    return None


def find_blocks(source: str, filename: str) -> list[Block]:
    """Find and check every solution block of ``source``.

    Parameters
    ----------
    source : the text of a solution module
    filename : how error messages name the file, e.g. ``solutions/optimizers.py``

    Returns
    -------
    blocks : list of Block, in file order

    Raises
    ------
    UserError
        ``<filename>:<line>: <what is wrong>`` for a BEGIN without a hint, a nested BEGIN, an
        END without a BEGIN or at another indentation, an unclosed or empty block, a line
        indented less than its block's markers, or a block outside any function.
    """
    blocks: list[Block] = []
    # (indent width, name, is_function) of the def/class lines enclosing the current line
    scopes: list[tuple[int, str, bool]] = []
    open_at: int | None = None
    open_indent = ""
    open_hint = ""
    open_function = ""
    body_lines = 0

    def fail(lineno: int, message: str) -> UserError:
        return UserError(f"{filename}:{lineno}: {message}")

    for lineno, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        indent = _indent(line)
        if stripped.startswith(BEGIN):
            if open_at is not None:
                raise fail(lineno, f"nested '{BEGIN}': the block opened at line {open_at} is not closed yet")
            rest = stripped[len(BEGIN):]
            hint = rest[1:].strip() if rest.startswith(":") else ""
            if not hint:
                raise fail(lineno, f"'{BEGIN}' needs a hint for the student: '{BEGIN}: <hint>'")
            while scopes and scopes[-1][0] >= len(indent):
                scopes.pop()
            if not any(is_function for _, _, is_function in scopes):
                raise fail(lineno, "a solution block must be inside a function or method")
            open_at, open_indent, open_hint, body_lines = lineno, indent, hint, 0
            open_function = ".".join(name for _, name, _ in scopes)
        elif stripped.startswith(END):
            if stripped != END:
                raise fail(lineno, f"'{END}' takes nothing after it, found {stripped!r}")
            if open_at is None:
                raise fail(lineno, f"'{END}' without a '{BEGIN}: <hint>' before it")
            if indent != open_indent:
                raise fail(lineno, f"'{END}' is not at the indentation of its '{BEGIN}' (line {open_at})")
            if body_lines == 0:
                raise fail(open_at, "empty solution block: there is nothing to blank out")
            blocks.append(Block(open_at, lineno, open_indent, open_hint, open_function))
            open_at = None
        elif open_at is not None:
            if stripped:
                if len(indent) < len(open_indent):
                    raise fail(lineno, f"line is indented less than the '{BEGIN}' of line {open_at}; "
                                       "a block must stay inside one function")
                body_lines += 1
        else:
            name = _definition(stripped)
            if name is not None:
                while scopes and scopes[-1][0] >= len(indent):
                    scopes.pop()
                scopes.append((len(indent), name, not stripped.startswith("class ")))
    if open_at is not None:
        raise fail(open_at, f"'{BEGIN}' is never closed by '{END}'")
    return blocks


def _string_literal(text: str) -> str:
    """A Python string literal for one line of text, double-quoted when it can be."""
    if '"' in text or "\\" in text:
        return repr(text)
    return f'"{text}"'


def _replace_blocks(source: str, filename: str, keep_solution: bool) -> str:
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    position = 0  # index of the next line of `lines` not yet copied
    for block in find_blocks(source, filename):
        out.extend(lines[position: block.begin - 1])
        if keep_solution:
            out.extend(lines[block.begin: block.end - 1])
        else:
            message = f"{block.function}: {block.hint}"
            out.append(f"{block.indent}# TODO: {block.hint}\n")
            out.append(f"{block.indent}raise NotImplementedError({_string_literal(message)})\n")
        position = block.end
    out.extend(lines[position:])
    return "".join(out)


def make_skeleton(source: str, filename: str) -> str:
    """The student version of a solution module: each block becomes a TODO and a raise.

    The raise's message names the function (``"SGD.update: ..."`` for a method) and repeats
    the hint, so a test that reaches an unfinished blank says which one. A function with
    two blocks gets two TODOs; the first raise ends the call.

    Raises
    ------
    UserError
        If the markers are malformed (see `find_blocks`).
    """
    return _replace_blocks(source, filename, keep_solution=False)


def strip_markers(source: str, filename: str) -> str:
    """The solution module without its marker lines: what a student who finished writes.

    Raises
    ------
    UserError
        If the markers are malformed (see `find_blocks`).
    """
    return _replace_blocks(source, filename, keep_solution=True)
