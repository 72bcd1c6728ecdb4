"""Schemas every API router shares: the error bodies, so the OpenAPI documents each 4xx an
endpoint can answer (issue 13 finding 10)."""

from ninja import Schema


class ErrorOut(Schema):
    """Every refusal (common/api.py): a code, a Chinese message, the field when one is at fault."""

    error: str
    message: str
    field: str | None = None


class ValidationErrorOut(Schema):
    """django-ninja's answer to a body or parameter that does not fit the schema."""

    detail: list[dict]


ERRORS_400_422 = {400: ErrorOut, 422: ValidationErrorOut}
