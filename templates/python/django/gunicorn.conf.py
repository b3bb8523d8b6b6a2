"""gunicorn's settings: `gunicorn config.wsgi` reads this file from the working directory.

On SIGTERM gunicorn stops accepting, lets every worker finish the requests it has accepted
(up to graceful_timeout), then exits 0.
"""

import os
from pathlib import Path

from dotenv import load_dotenv

# The same .env the settings read; variables already set in the environment win.
load_dotenv(Path(__file__).resolve().parent / ".env", override=False)

# All interfaces: the container publishes this port.
bind = [f"0.0.0.0:{os.environ.get('PORT', '3000')}"]
# Threaded workers: a request waiting on the database does not hold up the others. Each
# thread holds at most one database connection, so the pool's size follows `threads`.
# gunicorn's gthread worker, answering its own protocol errors in the API's JSON and timing
# out stalled requests (config/gunicorn_worker.py).
worker_class = "config.gunicorn_worker.ApiWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A worker silent for this long is restarted; database timeouts end requests well before.
timeout = 30
# Idle keep-alive connections close after this: longer than a client's or a load balancer's
# own idle timeout (Node's fetch 4-5 s, common balancers 60 s), so the server never closes a
# connection the client is reusing at that moment (gunicorn's default of 2 s reset requests
# that way). gthread parks idle connections in its poller: they hold no thread.
keepalive = 65
graceful_timeout = 15
# gunicorn's longest request line (default 4094): a query too long to parse reaches the API,
# which answers it with a JSON 400, instead of gunicorn's plain-text one.
limit_request_line = 8190
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
