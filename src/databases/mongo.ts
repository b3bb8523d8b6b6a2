import { images } from '../versions.js';
import type { DatabaseSpec } from './types.js';

export const mongo = {
  id: 'mongo',
  label: 'MongoDB',
  family: 'document',
  scheme: 'mongodb',
  port: 27017,
  image: images.mongo,
  // The official image creates the user in the admin database, hence authSource.
  url: (c) =>
    `mongodb://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@${c.host}:${c.port}/${encodeURIComponent(c.database)}?authSource=admin`,
  extraSecrets: [],
  containerEnv: (database, user) => ({
    MONGO_INITDB_DATABASE: database,
    MONGO_INITDB_ROOT_USERNAME: user,
    MONGO_INITDB_ROOT_PASSWORD: '${DB_PASSWORD}',
  }),
  dataPath: '/data/db',
  // The official image's `mongodb` user (999 in the Debian- and Oracle-based images alike).
  container: { uid: 999, gid: 999, writablePaths: ['/data/configdb', '/tmp'] },
  healthcheck: ['CMD', 'mongosh', '--quiet', '--eval', "db.adminCommand('ping').ok"],
  healthcheckShell: `mongosh --quiet --eval "db.adminCommand('ping').ok"`,
  sqlMigrations: [],
} satisfies DatabaseSpec;
