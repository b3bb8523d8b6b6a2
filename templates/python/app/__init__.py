"""The HTTP service: `python -m app` serves it, `python -m app.migrate` prepares the database."""
