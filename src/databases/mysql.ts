import { images } from '../versions.js';
import type { DatabaseSpec } from './types.js';

export const mysql = {
  id: 'mysql',
  label: 'MySQL',
  family: 'sql',
  scheme: 'mysql',
  port: 3306,
  image: images.mysql,
  url: (c) =>
    `mysql://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${encodeURIComponent(c.database)}`,
  extraSecrets: ['DB_ROOT_PASSWORD'],
  containerEnv: (database, user) => ({
    MYSQL_DATABASE: database,
    MYSQL_USER: user,
    MYSQL_PASSWORD: '${DB_PASSWORD}',
    MYSQL_ROOT_PASSWORD: '${DB_ROOT_PASSWORD}',
  }),
  dataPath: '/var/lib/mysql',
  // `mysqladmin ping` succeeds once the server accepts connections, whatever the credentials.
  // The official image's `mysql` user (999 in the Debian- and Oracle-based images alike).
  container: { uid: 999, gid: 999, writablePaths: ['/var/run/mysqld', '/tmp'] },
  healthcheck: ['CMD', 'mysqladmin', 'ping', '-h', '127.0.0.1', '--silent'],
  healthcheckShell: 'mysqladmin ping -h 127.0.0.1 --silent',
  sqlMigrations: [
    { from: 'common/migrations/mysql/0001_create_items.sql', to: '0001_create_items.sql' },
  ],
} satisfies DatabaseSpec;
