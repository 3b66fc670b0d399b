"""What can go wrong when the grader calls student code, each with a one-line reason.

The parent raises these from what the child reported (or failed to report); a grading test
lets them propagate and the plugin turns them into the test's message.
"""


class StudentError(Exception):
    """Student code did not give a usable answer."""

    def describe(self) -> str:
        return str(self)


class NotImplementedYet(StudentError):
    """The blank still raises NotImplementedError."""


class MissingName(StudentError):
    """The module is missing, failed to load, or lacks the name."""


class Raised(StudentError):
    """Student code raised an exception."""

    def __init__(self, exc_type: str, message: str, where: str = "") -> None:
        self.exc_type = exc_type
        self.message = message
        self.where = where
        text = f"raised {exc_type}: {message}" if message else f"raised {exc_type}"
        super().__init__(f"{text} ({where})" if where else text)


class TimedOut(StudentError):
    """The call did not return within its time limit (the child was killed)."""


class Crashed(StudentError):
    """The child died: a signal, a hard exit, or a limit enforced by the kernel."""


class LimitExceeded(StudentError):
    """A memory, output or time budget was exhausted."""


class BadOutput(StudentError):
    """The child sent something that is not a well-formed answer."""
