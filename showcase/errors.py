"""Errors a user can act on. The CLI prints their message and exits non-zero; no traceback."""


class ShowcaseError(Exception):
    """Base for errors whose message is meant for the publisher."""

    exit_code = 1


class ConfigError(ShowcaseError):
    """site.yml is missing or invalid. ``errors`` holds one line per problem."""

    exit_code = 2

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))

    def __reduce__(self):  # picklable across processes with its real arguments
        return (type(self), (self.errors,))


class FeedError(ShowcaseError):
    """A feed file cannot be read as a feed at all (not well-formed, unknown format, unreadable)."""

    def __init__(self, path, message: str, line: int | None = None, column: int | None = None):
        self.path = str(path)
        self.line = line
        self.column = column
        self.reason = message
        where = self.path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        return (type(self), (self.path, self.reason, self.line, self.column))
