"""Errors that are the user's to fix: the CLI prints them as one line, never a traceback."""


class UserError(Exception):
    """A mistake in the command line or its inputs (wrong path, broken notebook, bad grid...).

    The message says what is wrong and what is accepted; the CLI prints it and exits 2.
    """
