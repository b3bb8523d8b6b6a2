/**
 * Runs against the real PostgreSQL and MariaDB servers of this machine (see
 * /work/shared/ENVIRONMENT.md); a server that is not there makes its tests fail with the
 * probe's reason rather than skip, because these fixtures are what every e2e test stands on.
 * MongoDB cannot be installed here, so its branch runs against fake-mongo.ts.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, listLeftovers, probeDatabase, sanitizeLabel, uniqueName, type TestDatabase } from '../../support/databases.js';
import { mongoCommand, parseMongoUrl } from '../../support/mongo-wire.js';
import { freePort } from '../../support/processes.js';
import { skipBecause } from '../../skip.js';
import { startFakeMongo } from './fake-mongo.js';

const created: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(created.splice(0).map((db) => db.drop()));
});

async function create(kind: 'postgres' | 'mysql' | 'mongo', label: string): Promise<TestDatabase> {
  const db = await createDatabase(kind, label);
  created.push(db);
  return db;
}

function nameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

describe('names', () => {
  it('sanitises labels to lower-case [a-z0-9_]', () => {
    expect(sanitizeLabel('Node × PostgreSQL: e2e!')).toBe('node_postgresql_e2e');
    expect(sanitizeLabel('***')).toBe('db');
  });

  it('keeps the random suffix within every length limit', () => {
    const long = 'python fastapi with a very long description of the combination under test';
    for (const max of [32, 63, 64]) {
      const name = uniqueName(long, max);
      expect(name.length).toBeLessThanOrEqual(max);
      expect(name).toMatch(/^cbs_[a-z0-9_]+_[0-9a-f]{8}$/);
    }
    expect(uniqueName('x', 32)).not.toBe(uniqueName('x', 32));
  });
});

describe('postgres', () => {
  beforeEach(async () => {
    const probe = await probeDatabase('postgres');
    expect(probe, 'PostgreSQL must run on 127.0.0.1:5432 for these tests').toEqual({ available: true });
  });

  it('creates a database owned by a new login role, usable through the returned URL', async () => {
    const db = await create('postgres', 'Unit Test');
    const name = nameOf(db.url);
    expect(db.url).toMatch(/^postgres:\/\/cbs_unit_test_[0-9a-f]{8}:[0-9a-f]{32}@127\.0\.0\.1:5432\/cbs_unit_test_[0-9a-f]{8}$/);
    expect(new URL(db.url).username).toBe(name);

    const app = new pg.Client({ connectionString: db.url });
    await app.connect();
    try {
      const { rows } = await app.query<{ user: string; db: string }>('SELECT current_user AS user, current_database() AS db');
      expect(rows[0]).toEqual({ user: name, db: name });
      await app.query('CREATE TABLE items (id SERIAL PRIMARY KEY, name VARCHAR(200) NOT NULL, created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now())');
      await app.query('INSERT INTO items (name) VALUES ($1)', ['first']);
      expect((await app.query('SELECT name FROM items')).rows).toEqual([{ name: 'first' }]);
    } finally {
      await app.end();
    }

    const admin = new pg.Client({ connectionString: process.env.PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    try {
      const role = await admin.query('SELECT rolcanlogin, rolsuper, rolpassword IS NOT NULL AS has_password FROM pg_authid WHERE rolname = $1', [name]);
      expect(role.rows).toEqual([{ rolcanlogin: true, rolsuper: false, has_password: true }]);
    } finally {
      await admin.end();
    }
  });

  it('drop() removes database and role even while a client is still connected', async () => {
    const db = await create('postgres', 'drop test');
    const name = nameOf(db.url);
    const lingering = new pg.Client({ connectionString: db.url });
    lingering.on('error', () => undefined); // FORCE terminates it; that is the point
    await lingering.connect();
    await lingering.query('CREATE TABLE t (x int)');

    expect(await listLeftovers('postgres', 'drop test')).toEqual(expect.arrayContaining([`database ${name}`, `role ${name}`]));
    await db.drop();
    await db.drop(); // idempotent
    expect(await listLeftovers('postgres', 'drop test')).not.toEqual(expect.arrayContaining([expect.stringContaining(name)]));
    await lingering.end().catch(() => undefined);

    const again = new pg.Client({ connectionString: db.url });
    // Password authentication (Debian's default on TCP) does not reveal that the role is gone.
    await expect(again.connect()).rejects.toThrow(/does not exist|password authentication failed/);
  });

  it('hands out an unreachable URL that fails fast', async () => {
    const db = await create('postgres', 'down');
    expect(new URL(db.unreachableUrl).username).toBe(nameOf(db.url));
    const client = new pg.Client({ connectionString: db.unreachableUrl, connectionTimeoutMillis: 3000 });
    await expect(client.connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('explains why a server is unavailable', async () => {
    const port = await freePort();
    const probe = await withEnv({ PG_ADMIN_URL: `postgres://postgres@127.0.0.1:${port}/postgres` }, () => probeDatabase('postgres'));
    expect(probe).toEqual({
      available: false,
      reason: `no PostgreSQL server answered at 127.0.0.1:${port} (ECONNREFUSED); start one or set PG_ADMIN_URL`,
    });
  });
});

describe('mysql (MariaDB here)', () => {
  beforeEach(async () => {
    const probe = await probeDatabase('mysql');
    expect(probe, 'MariaDB/MySQL must run on 127.0.0.1:3306 for these tests').toEqual({ available: true });
  });

  it('creates a utf8mb4 database and a user limited to it, usable through the returned URL', async () => {
    const db = await create('mysql', 'Unit Test: a label far too long for MySQL user names');
    const name = nameOf(db.url);
    expect(name.length).toBeLessThanOrEqual(32);
    expect(db.url).toMatch(/^mysql:\/\/cbs_unit_test_[a-z0-9_]*[0-9a-f]{8}:[0-9a-f]{32}@127\.0\.0\.1:3306\/cbs_/);

    const app = await mysql.createConnection({ uri: db.url });
    try {
      const [who] = await app.query<mysql.RowDataPacket[]>('SELECT CURRENT_USER() AS user, DATABASE() AS db');
      expect(who[0]?.user).toMatch(new RegExp(`^${name}@(%|localhost)$`));
      expect(who[0]?.db).toBe(name);
      await app.query('CREATE TABLE items (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(200) NOT NULL, created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))');
      await app.query('INSERT INTO items (name) VALUES (?)', ['ünïcode ✓']);
      const [rows] = await app.query<mysql.RowDataPacket[]>('SELECT name FROM items');
      expect(rows.map((r) => r.name)).toEqual(['ünïcode ✓']);
      const [charset] = await app.query<mysql.RowDataPacket[]>('SELECT DEFAULT_CHARACTER_SET_NAME AS cs FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
      expect(charset[0]?.cs).toBe('utf8mb4');
      // Limited to its own database: the mysql system schema is out of reach.
      await expect(app.query('SELECT COUNT(*) FROM mysql.user')).rejects.toMatchObject({ code: expect.stringMatching(/^ER_(TABLEACCESS|DBACCESS)_DENIED/) });
    } finally {
      await app.end();
    }

    const wrong = new URL(db.url);
    wrong.password = 'wrong';
    await expect(mysql.createConnection({ uri: wrong.toString() })).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
  });

  it('drop() removes database and both user hosts even while a client is still connected', async () => {
    const db = await create('mysql', 'drop test');
    const name = nameOf(db.url);
    const lingering = await mysql.createConnection({ uri: db.url });
    lingering.on('error', () => undefined);
    await lingering.query('CREATE TABLE t (x INT)');
    // An open transaction holds a metadata lock that would block DROP DATABASE.
    await lingering.query('START TRANSACTION');
    await lingering.query('INSERT INTO t VALUES (1)');

    expect(await listLeftovers('mysql', 'drop test')).toEqual(expect.arrayContaining([`database ${name}`, `user ${name}`]));
    await db.drop();
    await db.drop();
    expect(await listLeftovers('mysql', 'drop test')).not.toEqual(expect.arrayContaining([expect.stringContaining(name)]));
    lingering.destroy();

    // For a user that no longer exists MariaDB may answer either access-denied variant
    // (ER_ACCESS_DENIED_ERROR or ..._NO_PASSWORD_ERROR); both mean the login is refused.
    await expect(mysql.createConnection({ uri: db.url })).rejects.toMatchObject({
      code: expect.stringMatching(/^ER_ACCESS_DENIED(_NO_PASSWORD)?_ERROR$/),
    });
  });

  it('hands out an unreachable URL that fails fast', async () => {
    const db = await create('mysql', 'down');
    await expect(mysql.createConnection({ uri: db.unreachableUrl, connectTimeout: 3000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('explains why a server is unavailable', async () => {
    const port = await freePort();
    const probe = await withEnv({ MYSQL_ADMIN_URL: `mysql://root@127.0.0.1:${port}/` }, () => probeDatabase('mysql'));
    expect(probe).toEqual({
      available: false,
      reason: `no MySQL/MariaDB server answered at 127.0.0.1:${port} (ECONNREFUSED); start one or set MYSQL_ADMIN_URL`,
    });
  });
});

describe('mongo', () => {
  it('is unavailable, saying why, when MONGODB_URL is not set', async () => {
    const unset = { MONGODB_URL: undefined, CBS_MONGO_UNAVAILABLE: undefined };
    const probe = await withEnv(unset, () => probeDatabase('mongo'));
    expect(probe).toEqual({ available: false, reason: expect.stringMatching(/^MONGODB_URL is not set \(the test run starts FerretDB itself/) });
    await withEnv(unset, () => expect(createDatabase('mongo', 'x')).rejects.toThrow(/MONGODB_URL is not set/));
  });

  it('passes on why the run could not start FerretDB', async () => {
    const why = { MONGODB_URL: undefined, CBS_MONGO_UNAVAILABLE: 'could not build or start FerretDB: go is missing' };
    expect(await withEnv(why, () => probeDatabase('mongo'))).toEqual({ available: false, reason: why.CBS_MONGO_UNAVAILABLE });
  });

  it('creates, writes to and drops a database on the server the run started (FerretDB unless MONGODB_URL named one)', async (ctx) => {
    if (!process.env.MONGODB_URL) skipBecause(ctx, process.env.CBS_MONGO_UNAVAILABLE ?? 'MONGODB_URL is not set');
    expect(await probeDatabase('mongo')).toEqual({ available: true });
    const db = await createDatabase('mongo', 'server test');
    const name = nameOf(db.url);
    const target = parseMongoUrl(db.url);
    await mongoCommand(target, name, { insert: 'probe', documents: [{ n: 1 }] });
    expect(await listLeftovers('mongo', 'server test')).toEqual([`database ${name}`]);
    await db.drop();
    expect(await listLeftovers('mongo', 'server test')).toEqual([]);
  });

  it('is unavailable when nothing listens at MONGODB_URL', async () => {
    const port = await freePort();
    const probe = await withEnv({ MONGODB_URL: `mongodb://127.0.0.1:${port}` }, () => probeDatabase('mongo'));
    expect(probe).toEqual({ available: false, reason: `no MongoDB server answered at 127.0.0.1:${port} from MONGODB_URL (ECONNREFUSED); start it or fix MONGODB_URL` });
  });

  it('is unavailable when something that is not MongoDB listens', async () => {
    const { createServer } = await import('node:http');
    const http = createServer((_req, res) => res.end('hello'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const port = (http.address() as { port: number }).port;
      const probe = await withEnv({ MONGODB_URL: `mongodb://127.0.0.1:${port}` }, () => probeDatabase('mongo'));
      expect(probe).toMatchObject({ available: false, reason: expect.stringMatching(/did not answer a ping/) });
    } finally {
      http.closeAllConnections();
      http.close();
    }
  });

  it('probes, creates, lists and drops through the wire protocol (fake server, no auth)', async () => {
    const fake = await startFakeMongo();
    try {
      await withEnv({ MONGODB_URL: `mongodb://127.0.0.1:${fake.port}/?directConnection=true` }, async () => {
        expect(await probeDatabase('mongo')).toEqual({ available: true });
        const db = await createDatabase('mongo', 'Wire Test');
        const name = nameOf(db.url);
        expect(db.url).toBe(`mongodb://127.0.0.1:${fake.port}/${name}?directConnection=true`);
        expect(db.unreachableUrl).toMatch(new RegExp(`^mongodb://127\\.0\\.0\\.1:\\d+/${name}$`));
        fake.databases.add(name); // as a service's first write would
        expect(await listLeftovers('mongo', 'wire test')).toEqual([`database ${name}`]);
        await db.drop();
        expect(fake.commands).toContain(`${name}.dropDatabase`);
        expect(await listLeftovers('mongo', 'wire test')).toEqual([]);
      });
    } finally {
      await fake.close();
    }
  });

  it('authenticates with SCRAM-SHA-256 and keeps authSource when changing the database', async () => {
    const fake = await startFakeMongo({ user: { name: 'tester', password: 'p@ss:word' } });
    try {
      const base = `mongodb://tester:${encodeURIComponent('p@ss:word')}@127.0.0.1:${fake.port}/`;
      await withEnv({ MONGODB_URL: base }, async () => {
        expect(await probeDatabase('mongo')).toEqual({ available: true });
        const db = await createDatabase('mongo', 'auth');
        expect(db.url).toBe(`mongodb://tester:p%40ss%3Aword@127.0.0.1:${fake.port}/${nameOf(db.url)}?authSource=admin`);
        await db.drop();
        expect(fake.commands).toEqual(expect.arrayContaining(['admin.saslStart', 'admin.saslContinue', `${nameOf(db.url)}.dropDatabase`]));
      });
      await withEnv({ MONGODB_URL: `mongodb://tester:wrong@127.0.0.1:${fake.port}/` }, async () => {
        expect(await probeDatabase('mongo')).toMatchObject({ available: false, reason: expect.stringMatching(/Authentication failed/) });
      });
    } finally {
      await fake.close();
    }
  });
});
