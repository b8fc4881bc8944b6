"""The one exception type the command line turns into ``error: ...`` and exit status 2."""


class UserError(Exception):
    """Bad input from a user: unknown name, out-of-range value, missing or corrupt file.

    The message is a single line that names the problem; the CLI prints it as
    ``error: <message>`` and exits with status 2, without a traceback.
    """
