/**
 * Throwaway databases on the real servers: one database plus one owning user per test,
 * so a generated service is exercised with an unprivileged login, exactly as it would be
 * in production, and nothing is shared between tests or concurrent runs.
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { freePort } from './processes.js';
import { mongoCommand, mongoUrlWithDatabase, parseMongoUrl, type MongoTarget } from './mongo-wire.js';

export type DbKind = 'postgres' | 'mysql' | 'mongo';

export type Availability = { available: true } | { available: false; reason: string };

export interface TestDatabase {
  /** The app user's URL, what a service gets as DATABASE_URL. */
  url: string;
  /** Same shape, pointing at a closed local port: for "database down" (503) tests. */
  unreachableUrl: string;
  /** Drops the database and its user; safe to call twice. */
  drop(): Promise<void>;
}

const NAME_PREFIX = 'cbs_';
const SUFFIX_BYTES = 4;
const MAX_NAME_LENGTH: Record<DbKind, number> = { postgres: 63, mysql: 32, mongo: 63 };
const CONNECT_TIMEOUT_MS = 3000;

const DEFAULT_PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_MYSQL_ADMIN_URL = 'mysql://root@127.0.0.1:3306/';

function pgAdminUrl(): string {
  return process.env.PG_ADMIN_URL || DEFAULT_PG_ADMIN_URL;
}

function mysqlAdminUrl(): string {
  return process.env.MYSQL_ADMIN_URL || DEFAULT_MYSQL_ADMIN_URL;
}

// ---------------------------------------------------------------------------
// Names

/** Lower-case [a-z0-9_] only, so names need no quoting in any language's URL parser or DSN. */
export function sanitizeLabel(label: string): string {
  const cleaned = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return cleaned === '' ? 'db' : cleaned;
}

/**
 * `cbs_<label>_<8 hex>`, at most `maxLength` characters; the random suffix is never
 * truncated because it is what keeps concurrent runs apart.
 */
export function uniqueName(label: string, maxLength: number): string {
  return `${namePrefix(label, maxLength)}${randomBytes(SUFFIX_BYTES).toString('hex')}`;
}

/** Everything of a unique name before the random suffix. */
function namePrefix(label: string, maxLength: number): string {
  const room = maxLength - NAME_PREFIX.length - 1 - SUFFIX_BYTES * 2;
  const middle = sanitizeLabel(label).slice(0, Math.max(room, 0)).replace(/_+$/, '');
  return middle === '' ? NAME_PREFIX : `${NAME_PREFIX}${middle}_`;
}

// Hex only: a password that needs URL-encoding would also test every generated
// project's URL parsing, which is not what these fixtures are for.
function randomPassword(): string {
  return randomBytes(16).toString('hex');
}

function assertSafeName(name: string): void {
  if (!/^cbs_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to use unexpected database name ${JSON.stringify(name)}`);
}

function hostPort(url: URL, defaultPort: number): { host: string; port: number } {
  // URL keeps brackets around IPv6 hosts; drivers want them without.
  const host = url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  return { host, port: url.port === '' ? defaultPort : Number(url.port) };
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; errno?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && e.code !== '') return e.code;
  return typeof e?.message === 'string' ? e.message : String(error);
}

function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return errorMessage(error.errors[0]);
  return error instanceof Error ? error.message || errorCode(error) : String(error);
}

function isConnectionError(error: unknown): boolean {
  const code = error instanceof AggregateError && error.errors.length > 0 ? errorCode(error.errors[0]) : errorCode(error);
  return /^(ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ECONNRESET)$/.test(code) ||
    /timeout/i.test(errorMessage(error));
}

function connectionCode(error: unknown): string {
  return error instanceof AggregateError && error.errors.length > 0 ? errorCode(error.errors[0]) : errorCode(error);
}

/** A URL that has nothing listening behind it, so connecting fails fast with ECONNREFUSED. */
async function unreachable(url: URL): Promise<string> {
  const closed = new URL(url.toString());
  closed.hostname = '127.0.0.1';
  closed.port = String(await freePort());
  return closed.toString();
}

// ---------------------------------------------------------------------------
// PostgreSQL

async function withPgAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgAdminUrl(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probePostgres(): Promise<Availability> {
  const admin = new URL(pgAdminUrl());
  const { host, port } = hostPort(admin, 5432);
  const where = `${host}:${port}`;
  try {
    return await withPgAdmin(async (client) => {
      const { rows } = await client.query<{ ok: boolean }>(
        'SELECT rolsuper OR (rolcreaterole AND rolcreatedb) AS ok FROM pg_roles WHERE rolname = current_user',
      );
      if (rows[0]?.ok !== true) {
        return {
          available: false,
          reason: `PostgreSQL at ${where}: user ${admin.username || '(default)'} may not create roles and databases; set PG_ADMIN_URL to a superuser URL`,
        } as const;
      }
      return { available: true } as const;
    });
  } catch (error) {
    if (isConnectionError(error)) {
      return {
        available: false,
        reason: `no PostgreSQL server answered at ${where} (${connectionCode(error)}); start one or set PG_ADMIN_URL`,
      };
    }
    return {
      available: false,
      reason: `PostgreSQL at ${where} refused the admin connection (${errorMessage(error)}); set PG_ADMIN_URL to a working superuser URL`,
    };
  }
}

async function createPostgres(label: string): Promise<TestDatabase> {
  const name = uniqueName(label, MAX_NAME_LENGTH.postgres);
  const password = randomPassword();
  await withPgAdmin(async (client) => {
    await client.query(`CREATE ROLE ${pg.escapeIdentifier(name)} LOGIN PASSWORD ${pg.escapeLiteral(password)}`);
    try {
      // Owning the database also makes the role own its `public` schema (PostgreSQL 15+),
      // so migrations can create tables without any further GRANT.
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} OWNER ${pg.escapeIdentifier(name)}`);
    } catch (error) {
      await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(name)}`).catch(() => undefined);
      throw error;
    }
  });
  const admin = new URL(pgAdminUrl());
  const { host, port } = hostPort(admin, 5432);
  const url = new URL(`postgres://${name}:${password}@${urlHost(host)}:${port}/${name}`);
  return {
    url: url.toString(),
    unreachableUrl: await unreachable(url),
    drop: once(() => dropPostgres(name)),
  };
}

async function dropPostgres(name: string): Promise<void> {
  assertSafeName(name);
  await withPgAdmin(async (client) => {
    try {
      // FORCE disconnects a service that is still holding pool connections.
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    } catch (error) {
      if ((error as { code?: string }).code !== '42601') throw error;
      // Before PostgreSQL 13 there is no FORCE: disconnect everyone by hand.
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}`);
    }
    await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(name)}`);
  });
}

async function listPostgresLeftovers(prefix: string): Promise<string[]> {
  return withPgAdmin(async (client) => {
    const pattern = `${likeEscape(prefix)}%`;
    const dbs = await client.query<{ name: string }>('SELECT datname AS name FROM pg_database WHERE datname LIKE $1 ORDER BY 1', [pattern]);
    const roles = await client.query<{ name: string }>('SELECT rolname AS name FROM pg_roles WHERE rolname LIKE $1 ORDER BY 1', [pattern]);
    return [...dbs.rows.map((r) => `database ${r.name}`), ...roles.rows.map((r) => `role ${r.name}`)];
  });
}

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// ---------------------------------------------------------------------------
// MySQL (MariaDB stands in for it on this machine; only portable statements below)

async function withMysqlAdmin<T>(fn: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({ uri: mysqlAdminUrl(), connectTimeout: CONNECT_TIMEOUT_MS });
  try {
    return await fn(conn);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

async function probeMysql(): Promise<Availability> {
  const admin = new URL(mysqlAdminUrl());
  const { host, port } = hostPort(admin, 3306);
  const where = `${host}:${port}`;
  try {
    await withMysqlAdmin((conn) => conn.query('SELECT 1'));
    return { available: true };
  } catch (error) {
    if (isConnectionError(error)) {
      return {
        available: false,
        reason: `no MySQL/MariaDB server answered at ${where} (${connectionCode(error)}); start one or set MYSQL_ADMIN_URL`,
      };
    }
    return {
      available: false,
      reason: `MySQL/MariaDB at ${where} refused the admin connection (${errorMessage(error)}); set MYSQL_ADMIN_URL to a working root URL`,
    };
  }
}

async function createMysql(label: string): Promise<TestDatabase> {
  // Real MySQL caps user names at 32 characters; reusing it for the database keeps them paired.
  const name = uniqueName(label, MAX_NAME_LENGTH.mysql);
  const password = randomPassword();
  await withMysqlAdmin(async (conn) => {
    try {
      // utf8mb4 explicitly: MySQL 8 defaults to it, MariaDB may still default to latin1.
      await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
      // Both hosts: '%' alone loses to an anonymous ''@'localhost' account where one exists.
      for (const host of ['%', 'localhost']) {
        await conn.query('CREATE USER ?@? IDENTIFIED BY ?', [name, host, password]);
        await conn.query(`GRANT ALL PRIVILEGES ON \`${name}\`.* TO ?@?`, [name, host]);
      }
    } catch (error) {
      await dropMysqlWith(conn, name).catch(() => undefined);
      throw error;
    }
  });
  const admin = new URL(mysqlAdminUrl());
  const { host, port } = hostPort(admin, 3306);
  const url = new URL(`mysql://${name}:${password}@${urlHost(host)}:${port}/${name}`);
  return {
    url: url.toString(),
    unreachableUrl: await unreachable(url),
    drop: once(() => withMysqlAdmin((conn) => dropMysqlWith(conn, name))),
  };
}

async function dropMysqlWith(conn: mysql.Connection, name: string): Promise<void> {
  assertSafeName(name);
  // A service left running holds metadata locks that would make DROP DATABASE wait forever.
  const [sessions] = await conn.query<mysql.RowDataPacket[]>(
    'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ? OR DB = ?',
    [name, name],
  );
  for (const session of sessions) {
    await conn.query(`KILL ${Number(session.id)}`).catch(() => undefined);
  }
  await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
  for (const host of ['%', 'localhost']) {
    await conn.query('DROP USER IF EXISTS ?@?', [name, host]);
  }
}

async function listMysqlLeftovers(prefix: string): Promise<string[]> {
  return withMysqlAdmin(async (conn) => {
    const pattern = `${likeEscape(prefix)}%`;
    const [dbs] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ? ORDER BY 1',
      [pattern],
    );
    const [users] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT DISTINCT User AS name FROM mysql.user WHERE User LIKE ? ORDER BY 1',
      [pattern],
    );
    return [...dbs.map((r) => `database ${String(r.name)}`), ...users.map((r) => `user ${String(r.name)}`)];
  });
}

// ---------------------------------------------------------------------------
// MongoDB: no mongod can be installed on this machine; the server named by MONGODB_URL
// is the FerretDB that test/global-setup.ts started, or a real one the developer named.
// There is no MongoDB npm driver among the dev
// dependencies; mongo-wire.ts speaks just enough of the wire protocol to ping, list
// and drop databases.

function mongoUnsetReason(): string {
  // test/global-setup.ts starts FerretDB and sets MONGODB_URL, or says why it could not.
  return process.env.CBS_MONGO_UNAVAILABLE || 'MONGODB_URL is not set (the test run starts FerretDB itself unless CBS_NO_FERRETDB=1)';
}

async function probeMongo(): Promise<Availability> {
  const raw = process.env.MONGODB_URL;
  if (!raw) return { available: false, reason: mongoUnsetReason() };
  let target: MongoTarget;
  try {
    target = parseMongoUrl(raw);
  } catch (error) {
    return { available: false, reason: `MONGODB_URL is not a usable MongoDB URL (${errorMessage(error)}); expected mongodb://[user:pass@]host:port/` };
  }
  const first = target.hosts[0] ?? { host: '127.0.0.1', port: 27017 };
  const where = target.srv ? `${first.host} (SRV)` : `${first.host}:${first.port}`;
  if (!target.srv) {
    // A bare TCP connect first, so "nothing listens" reads differently from "not MongoDB".
    try {
      await tcpReachable(first.host, first.port);
    } catch (error) {
      return { available: false, reason: `no MongoDB server answered at ${where} from MONGODB_URL (${connectionCode(error)}); start it or fix MONGODB_URL` };
    }
  }
  try {
    await mongoCommand(target, 'admin', { ping: 1 });
    return { available: true };
  } catch (error) {
    return { available: false, reason: `MongoDB at ${where} did not answer a ping (${errorMessage(error)}); check MONGODB_URL` };
  }
}

function tcpReachable(host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = netConnect({ host, port, timeout: CONNECT_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
    });
    socket.once('error', reject);
  });
}

async function createMongo(label: string): Promise<TestDatabase> {
  const raw = process.env.MONGODB_URL;
  if (!raw) throw new Error(mongoUnsetReason());
  const target = parseMongoUrl(raw);
  const name = uniqueName(label, MAX_NAME_LENGTH.mongo);
  // No dedicated user: creating one needs userAdmin rights on a server we are only lent.
  // Nothing is created up front either; MongoDB creates the database on first write.
  return {
    url: mongoUrlWithDatabase(target, name),
    unreachableUrl: `mongodb://127.0.0.1:${await freePort()}/${name}`,
    drop: once(async () => {
      assertSafeName(name);
      await mongoCommand(target, name, { dropDatabase: 1 });
    }),
  };
}

async function listMongoLeftovers(prefix: string): Promise<string[]> {
  const raw = process.env.MONGODB_URL;
  if (!raw) throw new Error(mongoUnsetReason());
  const reply = await mongoCommand(parseMongoUrl(raw), 'admin', { listDatabases: 1, nameOnly: true });
  const databases = Array.isArray(reply.databases) ? reply.databases : [];
  return databases
    .map((db) => String((db as { name?: unknown }).name))
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => `database ${name}`);
}

// ---------------------------------------------------------------------------

function once(fn: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | undefined;
  return () => {
    pending ??= fn().catch((error: unknown) => {
      pending = undefined; // let a later call retry after a transient failure
      throw error;
    });
    return pending;
  };
}

export async function probeDatabase(kind: DbKind): Promise<Availability> {
  switch (kind) {
    case 'postgres':
      return probePostgres();
    case 'mysql':
      return probeMysql();
    case 'mongo':
      return probeMongo();
  }
}

/** Creates a fresh database and a user that owns it; call `drop()` in afterAll/afterEach. */
export async function createDatabase(kind: DbKind, label: string): Promise<TestDatabase> {
  switch (kind) {
    case 'postgres':
      return createPostgres(label);
    case 'mysql':
      return createMysql(label);
    case 'mongo':
      return createMongo(label);
  }
}

/**
 * Databases and users this module created that still exist, as "database <name>" /
 * "role <name>" / "user <name>". Pass a label to look only at names made with it: other
 * test runs on the same machine may legitimately have their own alive right now.
 */
export async function listLeftovers(kind: DbKind, label?: string): Promise<string[]> {
  const prefix = label === undefined ? NAME_PREFIX : namePrefix(label, MAX_NAME_LENGTH[kind]);
  switch (kind) {
    case 'postgres':
      return listPostgresLeftovers(prefix);
    case 'mysql':
      return listMysqlLeftovers(prefix);
    case 'mongo':
      return listMongoLeftovers(prefix);
  }
}
