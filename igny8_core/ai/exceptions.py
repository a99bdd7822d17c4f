"""Errors of the AI layer.

`InvalidInput` is the caller's mistake and raised by `AIEngine.run`. Everything else is an
item-level failure: the engine catches it, marks the item failed and carries on with the
next item. `InsufficientCredits` lives in billing and is re-exported here for convenience.
"""

from igny8_core.billing.services import InsufficientCredits  # noqa: F401  (re-export)


class AIError(Exception):
    """Base class; `code` is a stable machine-readable reason put in AIResult.failed."""

    code = "ai_error"


class InvalidInput(AIError):
    """Ids empty, too many, malformed, or not of this account/site."""

    code = "invalid_input"


class ProviderError(AIError):
    """The provider refused the request or stayed unavailable after bounded retries."""

    code = "provider_error"

    def __init__(self, message: str, *, transient: bool = False, attempts: int = 1):
        super().__init__(message)
        self.transient = transient  # True: outage / rate limit / timeout, worth a later retry
        self.attempts = attempts


class RateLimited(ProviderError):
    """The provider kept answering 429 (or asked to wait longer than we may)."""

    code = "rate_limited"


class ProviderTimeout(ProviderError):
    """The provider did not answer within OPENAI_TIMEOUT, retries included."""

    code = "timeout"


class MalformedResponse(ProviderError):
    """The provider's HTTP answers kept being unparseable (not JSON), retries included."""

    code = "malformed_output"


class MalformedOutput(AIError):
    """The provider answered, but not with JSON matching the schema (after one retry)."""

    code = "malformed_output"

    def __init__(self, message: str, *, attempts: int = 1):
        super().__init__(message)
        self.attempts = attempts


class SchemaMismatch(MalformedOutput):
    """JSON that violates the function's schema (after one retry): the answer is unusable."""

    code = "invalid_output"


class InvalidOutput(AIError):
    """Well-formed JSON that cannot be used for this item (e.g. no keyword assigned)."""

    code = "invalid_output"
