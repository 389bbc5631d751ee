"""Errors the command line turns into exit codes."""


class InputError(Exception):
    """Bad input (scenario file, batch file, option): exit code 2, nothing written.

    The message is one line naming the file and the key: control characters that a file name
    or key may hold (a newline, a NUL) are shown escaped, so they cannot break the line.
    """

    def __init__(self, message: object):
        text = str(message)
        super().__init__("".join(c if c.isprintable() else ascii(c)[1:-1] for c in text))
