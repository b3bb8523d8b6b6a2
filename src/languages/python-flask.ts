import type { FrameworkSpec } from './types.js';
import { gunicornWorkerFiles, gunicornWorkerLayout } from './python-gunicorn.js';
import { plainDriverFiles, plainDriverLayout, plainDriverPackages, t, type PythonFrameworkData } from './python-common.js';

const fl = (path: string): string => t(`flask/${path}`);

export const flask: FrameworkSpec = {
  name: 'Flask',
  why:
    'Flask is the classic Python micro-framework: an application factory (`create_app` in ' +
    '`app/main.py`) and one blueprint of routes (`app/api.py`), served in production by ' +
    "gunicorn's threaded workers, which finish every accepted request on SIGTERM (a small " +
    "subclass, `app/gunicorn_worker.py`, answers what gunicorn refuses itself in the API's " +
    "JSON and times out a request that stops arriving after 30 s with 408). Requests " +
    'are validated by the Pydantic models in each route\'s signature through flask-openapi3, ' +
    'which also builds the OpenAPI document served at `/openapi.json` from those same models ' +
    '(chosen over spectree because it is Pydantic-first and extends Flask itself: its ' +
    '`OpenAPI` app and `APIBlueprint` are a Flask app and blueprint), with Swagger UI at ' +
    '`/docs`. The database drivers are the plain, well-known ones (psycopg 3 with ' +
    "psycopg_pool, PyMySQL pooled by SQLAlchemy's QueuePool, pymongo) rather than " +
    'Flask-SQLAlchemy and Flask-Migrate: the store, the SQL migrations and the tests are the ' +
    'ones every Python project of this generator shares, MongoDB works the same way as SQL, ' +
    'and every query is in one place, `app/store.py`, with nothing to learn between the code ' +
    'and the SQL. Dependencies are pinned in `pyproject.toml` and locked, with hashes, in ' +
    '`uv.lock`; `make install` runs `uv sync --locked` (uv: `pip install uv`, or ' +
    'docs.astral.sh/uv; uv fetches the CPython that `.python-version` names, or offline point ' +
    '`UV_PYTHON` at an installed 3.11+), and `make lint` runs ruff and `mypy --strict`. For ' +
    'SQL databases, schema changes are plain versioned `.sql` files in `migrations/`, applied ' +
    'by a small runner (`app/migrate.py`) that takes a database lock and records each version ' +
    'in `schema_migrations`.',
  files: [
    ...plainDriverFiles,
    ...gunicornWorkerFiles('app'),
    { from: fl('app/__main__.py'), to: 'app/__main__.py' },
    { from: fl('app/api.py'), to: 'app/api.py' },
    { from: fl('app/main.py.ejs'), to: 'app/main.py' },
    { from: fl('tests/integration/conftest.py'), to: 'tests/integration/conftest.py' },
    { from: fl('tests/integration/test_items_api.py.ejs'), to: 'tests/integration/test_items_api.py' },
    { from: fl('tests/unit/conftest.py'), to: 'tests/unit/conftest.py' },
    { from: fl('tests/unit/test_database_down.py.ejs'), to: 'tests/unit/test_database_down.py' },
    { from: fl('tests/unit/test_http.py'), to: 'tests/unit/test_http.py' },
    { from: fl('tests/unit/test_server.py'), to: 'tests/unit/test_server.py' },
  ],
  layout: [
    ['app/main.py', 'the app factory: JSON error responses, strict JSON, the 1 MiB limit, /openapi.json and /docs'],
    ['app/api.py', 'the routes, one blueprint, validated by Pydantic models (flask-openapi3)'],
    ['app/__main__.py', '`python -m app`: gunicorn on $PORT, graceful shutdown on SIGTERM'],
    ...gunicornWorkerLayout('app'),
    ...plainDriverLayout,
    ['tests/unit/', "fast tests of the HTTP layer (Flask's test client) against an in-memory store"],
    ['tests/integration/', 'every route against the real database'],
  ],
  data: {
    packages: [...plainDriverPackages, 'flask', 'flask-openapi3', 'gunicorn', 'werkzeug'],
    // The functional tests' HTTP client; gunicorn's type stubs.
    devPackages: ['httpx2', 'types-gunicorn'],
    mypyPlugins: ['pydantic.mypy'],
    locks: fl('locks'),
    sourcePackages: ['app'],
  } satisfies PythonFrameworkData,
};
