"""The stored item."""

from datetime import UTC, datetime

from django.db import models


def now_ms() -> datetime:
    """The current UTC time at millisecond precision: what the API shows is what is stored,
    so listing by createdAt, then id, is the order clients see."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Item(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(default=now_ms, editable=False)
    updated_at = models.DateTimeField(default=now_ms, editable=False)

    class Meta:
        db_table = "items"
        # Newest first; the index serves the listing's ORDER BY.
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=["-created_at", "-id"], name="items_newest_first"),)

    def __str__(self) -> str:
        return self.name
