import type { FrameworkSpec } from './types.js';
import { plainDriverFiles, plainDriverLayout, plainDriverPackages, t, type PythonFrameworkData } from './python-common.js';

const fa = (path: string): string => t(`fastapi/${path}`);

export const fastapi: FrameworkSpec = {
  name: 'FastAPI',
  why:
    'FastAPI is the most popular modern Python API framework: ASGI, served by uvicorn, ' +
    'typed routes whose Pydantic models validate every request body and describe the API in ' +
    'the OpenAPI document it serves at `/openapi.json`, with interactive docs at `/docs`. The ' +
    'database drivers are the plain, well-known ones (psycopg 3 with psycopg_pool, PyMySQL ' +
    "pooled by SQLAlchemy's QueuePool, pymongo), called from synchronous endpoints that " +
    'FastAPI runs on its thread pool, so there is no ORM to learn and every query is in ' +
    '`app/store.py`. Dependencies are pinned in `pyproject.toml` and locked, with hashes, in ' +
    '`uv.lock`; `make install` runs `uv sync --locked` (uv: `pip install uv`, or ' +
    'docs.astral.sh/uv), so every install is the same (uv fetches the CPython that ' +
    '`.python-version` names; offline, point `UV_PYTHON` at an installed 3.11+), and `make lint` runs ruff and ' +
    '`mypy --strict`. For SQL ' +
    'databases, schema changes are plain versioned `.sql` files in `migrations/`, applied by a ' +
    'small runner (`app/migrate.py`) that takes a database lock and records each version in ' +
    '`schema_migrations`: Alembic would be more machinery than a few statements need, and ' +
    'plain SQL files read the same in any tool.',
  files: [
    ...plainDriverFiles,
    { from: fa('app/__main__.py'), to: 'app/__main__.py' },
    { from: fa('app/body_limit.py'), to: 'app/body_limit.py' },
    { from: fa('app/http_protocol.py'), to: 'app/http_protocol.py' },
    { from: fa('app/json_body.py'), to: 'app/json_body.py' },
    { from: fa('app/main.py.ejs'), to: 'app/main.py' },
    { from: fa('tests/integration/conftest.py'), to: 'tests/integration/conftest.py' },
    { from: fa('tests/integration/test_items_api.py.ejs'), to: 'tests/integration/test_items_api.py' },
    { from: fa('tests/unit/conftest.py'), to: 'tests/unit/conftest.py' },
    { from: fa('tests/unit/test_database_down.py.ejs'), to: 'tests/unit/test_database_down.py' },
    { from: fa('tests/unit/test_http.py'), to: 'tests/unit/test_http.py' },
    { from: fa('tests/unit/test_http_protocol.py'), to: 'tests/unit/test_http_protocol.py' },
  ],
  layout: [
    ['app/main.py', 'the routes, JSON error responses, the OpenAPI document and the app factory'],
    ['app/json_body.py', 'hands FastAPI the strict JSON parser of app/strict_json.py'],
    ['app/body_limit.py', 'the 1 MiB request body limit (413)'],
    ['app/http_protocol.py', "uvicorn's HTTP/1.1 protocol with JSON 400s for unparsable requests and a 408 for stalled ones"],
    ['app/__main__.py', '`python -m app`: uvicorn on $PORT, graceful shutdown on SIGTERM'],
    ...plainDriverLayout,
    ['tests/unit/', 'fast tests of the HTTP layer against an in-memory store'],
    ['tests/integration/', 'every route against the real database'],
  ],
  data: {
    packages: [...plainDriverPackages, 'fastapi', 'starlette', 'uvicorn'],
    // Starlette's TestClient runs on httpx2.
    devPackages: ['httpx2'],
    mypyPlugins: ['pydantic.mypy'],
    locks: fa('locks'),
    sourcePackages: ['app'],
  } satisfies PythonFrameworkData,
};

