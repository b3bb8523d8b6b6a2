"""Tests: `make test` (pytest) runs them."""
