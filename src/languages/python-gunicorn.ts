import type { FileRule } from '../plan/types.js';
import { t } from './python-common.js';

/**
 * The gunicorn worker the WSGI frameworks here are served by (`<pkg>/gunicorn_worker.py`, in
 * the project's own package: `app` for Flask, `config` for Django): JSON answers to what
 * gunicorn refuses itself, and a read timeout for stalled requests. Its test imports it from
 * `pkg`, which the rule hands its template.
 */
export function gunicornWorkerFiles(pkg: string): FileRule[] {
  return [
    { from: t('gunicorn/gunicorn_worker.py'), to: `${pkg}/gunicorn_worker.py` },
    { from: t('gunicorn/tests/unit/test_gunicorn_worker.py.ejs'), to: 'tests/unit/test_gunicorn_worker.py', data: { workerPackage: pkg } },
  ];
}

export function gunicornWorkerLayout(pkg: string): Array<[string, string]> {
  return [
    [`${pkg}/gunicorn_worker.py`, "gunicorn's threaded worker: protocol errors as JSON, a 30 s read timeout (408)"],
  ];
}
