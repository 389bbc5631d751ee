"""Errors the command line turns into exit codes."""


class InputError(Exception):
    """Bad input (scenario file, batch file, option): exit code 2, nothing written.

    The message is one line naming the file and the key.
    """
