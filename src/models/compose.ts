import { stringify } from 'yaml';
import type { ProjectContext } from './context.js';

/** docker-compose.yml as a model: the database spec contributes `db`, the language `app`. */
export function composeModel(ctx: ProjectContext): Record<string, unknown> {
  const { db, lang, names } = ctx;
  const port = lang.defaultPort;
  const inNetwork = db.url({
    user: ctx.dbUser,
    password: '${DB_PASSWORD}',
    host: 'db',
    port: db.port,
    database: names.snake,
  });
  return {
    services: {
      app: {
        build: '.',
        env_file: ['.env'],
        environment: {
          // `${DB_PASSWORD}` is interpolated by compose from .env; the URL must not be percent-encoded.
          DATABASE_URL: inNetwork.replace(encodeURIComponent('${DB_PASSWORD}'), '${DB_PASSWORD}'),
          PORT: String(port),
        },
        ports: [`\${PORT:-${port}}:${port}`],
        depends_on: { db: { condition: 'service_healthy' } },
        restart: 'unless-stopped',
      },
      db: {
        image: db.image,
        environment: db.containerEnv(names.snake, ctx.dbUser),
        // Published on loopback only, so `make test` on the host can reach it.
        ports: [`127.0.0.1:${db.port}:${db.port}`],
        volumes: [`db-data:${db.dataPath}`],
        healthcheck: {
          test: db.healthcheck,
          interval: '5s',
          timeout: '5s',
          retries: 20,
          start_period: '10s',
        },
        restart: 'unless-stopped',
      },
    },
    volumes: { 'db-data': {} },
  };
}

export function composeFile(ctx: ProjectContext): string {
  return stringify(composeModel(ctx), { lineWidth: 0 });
}
