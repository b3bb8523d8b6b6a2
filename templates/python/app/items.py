"""How stored items look in JSON, whichever database holds them."""

from datetime import UTC, datetime


def iso_utc(value: datetime) -> str:
    """`2026-11-24T10:11:12.345Z`: UTC, millisecond precision, as every client expects."""
    if value.tzinfo is None:
        # Naive values come from columns without a time zone, which we always write in UTC.
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
