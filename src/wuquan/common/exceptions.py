"""Domain exceptions raised by services; turned into a message (pages) or a 4xx (API) in one place.

Each carries a user-facing message (Chinese, translatable) and optionally the field it concerns.
"""


class DomainError(Exception):
    status_code = 400

    def __init__(self, message, *, field: str | None = None, code: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code or type(self).__name__


class InvalidInput(DomainError):
    """The input is malformed or incomplete; nothing was written."""


class RuleViolation(DomainError):
    """The action would break a rule of the seed (e.g. DEC-4 the head speaks last)."""

    status_code = 409


class NotPermitted(DomainError):
    """The actor does not hold the post or role the action needs."""

    status_code = 403


class NotFound(DomainError):
    status_code = 404
