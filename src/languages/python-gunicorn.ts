import type { FileRule } from '../plan/types.js';
import { t } from './python-common.js';

/**
 * The gunicorn worker every WSGI framework here is served by (app/gunicorn_worker.py): JSON
 * answers to what gunicorn refuses itself, and a read timeout for stalled requests.
 */
export const gunicornWorkerFiles: FileRule[] = [
  { from: t('gunicorn/app/gunicorn_worker.py'), to: 'app/gunicorn_worker.py' },
  { from: t('gunicorn/tests/unit/test_gunicorn_worker.py'), to: 'tests/unit/test_gunicorn_worker.py' },
];

export const gunicornWorkerLayout: Array<[string, string]> = [
  ['app/gunicorn_worker.py', "gunicorn's threaded worker: protocol errors as JSON, a 30 s read timeout (408)"],
];
