/**
 * Just enough of the MongoDB wire protocol (OP_MSG, a BSON subset, SCRAM auth, TLS) to
 * ping a server and to list and drop test databases, because the dev dependencies have
 * no MongoDB driver and test fixtures should not need one. Not a general client: one
 * command per connection, no compression, no sessions, no retries.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { resolveSrv, resolveTxt } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

// ---------------------------------------------------------------------------
// BSON (the subset servers send back for hello, ping, listDatabases, SASL and errors)

export type BsonValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Date
  | Uint8Array
  | BsonValue[]
  | BsonDocument
  | ObjectIdHex;
export interface BsonDocument {
  [key: string]: BsonValue;
}
/** ObjectIds decode to this wrapper so they are not confused with plain strings. */
export class ObjectIdHex {
  constructor(readonly hex: string) {}
  toString(): string {
    return this.hex;
  }
}

export function encodeBson(doc: BsonDocument): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (value === undefined) continue;
    parts.push(encodeElement(key, value));
  }
  const body = Buffer.concat(parts);
  const out = Buffer.alloc(4 + body.length + 1);
  out.writeInt32LE(out.length, 0);
  body.copy(out, 4);
  return out;
}

function cstring(text: string): Buffer {
  if (text.includes('\0')) throw new Error(`BSON key contains a NUL byte: ${JSON.stringify(text)}`);
  return Buffer.from(`${text}\0`, 'utf8');
}

function encodeElement(key: string, value: BsonValue): Buffer {
  const name = cstring(key);
  const typed = (type: number, payload: Buffer): Buffer => Buffer.concat([Buffer.from([type]), name, payload]);
  if (value === null) return typed(0x0a, Buffer.alloc(0));
  if (typeof value === 'boolean') return typed(0x08, Buffer.from([value ? 1 : 0]));
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    const payload = Buffer.alloc(4 + bytes.length + 1);
    payload.writeInt32LE(bytes.length + 1, 0);
    bytes.copy(payload, 4);
    return typed(0x02, payload);
  }
  if (typeof value === 'bigint') {
    const payload = Buffer.alloc(8);
    payload.writeBigInt64LE(value, 0);
    return typed(0x12, payload);
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) {
      const payload = Buffer.alloc(4);
      payload.writeInt32LE(value, 0);
      return typed(0x10, payload);
    }
    const payload = Buffer.alloc(8);
    payload.writeDoubleLE(value, 0);
    return typed(0x01, payload);
  }
  if (value instanceof ObjectIdHex) return typed(0x07, Buffer.from(value.hex, 'hex'));
  if (value instanceof Date) {
    const payload = Buffer.alloc(8);
    payload.writeBigInt64LE(BigInt(value.getTime()), 0);
    return typed(0x09, payload);
  }
  if (value instanceof Uint8Array) {
    const payload = Buffer.alloc(5 + value.length);
    payload.writeInt32LE(value.length, 0);
    payload[4] = 0; // generic binary subtype
    Buffer.from(value).copy(payload, 5);
    return typed(0x05, payload);
  }
  if (Array.isArray(value)) {
    const asDoc: BsonDocument = {};
    value.forEach((item, index) => {
      asDoc[String(index)] = item;
    });
    return typed(0x04, encodeBson(asDoc));
  }
  if (value === undefined) throw new Error('unreachable: undefined is skipped by encodeBson');
  return typed(0x03, encodeBson(value));
}

export function decodeBson(buf: Buffer, start = 0): BsonDocument {
  const length = buf.readInt32LE(start);
  const end = start + length - 1;
  if (buf[end] !== 0) throw new Error('malformed BSON: document does not end with NUL');
  const doc: BsonDocument = {};
  let pos = start + 4;
  const readCString = (): string => {
    const nul = buf.indexOf(0, pos);
    if (nul < 0 || nul > end) throw new Error('malformed BSON: unterminated key');
    const text = buf.toString('utf8', pos, nul);
    pos = nul + 1;
    return text;
  };
  while (pos < end) {
    const type = buf[pos++];
    const key = readCString();
    switch (type) {
      case 0x01:
        doc[key] = buf.readDoubleLE(pos);
        pos += 8;
        break;
      case 0x02: {
        const size = buf.readInt32LE(pos);
        doc[key] = buf.toString('utf8', pos + 4, pos + 4 + size - 1);
        pos += 4 + size;
        break;
      }
      case 0x03:
      case 0x04: {
        const size = buf.readInt32LE(pos);
        const inner = decodeBson(buf, pos);
        doc[key] = type === 0x04 ? Object.values(inner) : inner;
        pos += size;
        break;
      }
      case 0x05: {
        const size = buf.readInt32LE(pos);
        doc[key] = Uint8Array.from(buf.subarray(pos + 5, pos + 5 + size));
        pos += 5 + size;
        break;
      }
      case 0x06:
        doc[key] = undefined;
        break;
      case 0x07:
        doc[key] = new ObjectIdHex(buf.toString('hex', pos, pos + 12));
        pos += 12;
        break;
      case 0x08:
        doc[key] = buf[pos] === 1;
        pos += 1;
        break;
      case 0x09:
        doc[key] = new Date(Number(buf.readBigInt64LE(pos)));
        pos += 8;
        break;
      case 0x0a:
      case 0x7f:
      case 0xff:
        doc[key] = null;
        break;
      case 0x0b:
        doc[key] = `/${readCString()}/${readCString()}`;
        break;
      case 0x10:
        doc[key] = buf.readInt32LE(pos);
        pos += 4;
        break;
      case 0x11:
        doc[key] = buf.readBigUInt64LE(pos);
        pos += 8;
        break;
      case 0x12: {
        const big = buf.readBigInt64LE(pos);
        doc[key] = Number.isSafeInteger(Number(big)) ? Number(big) : big;
        pos += 8;
        break;
      }
      case 0x13:
        doc[key] = Uint8Array.from(buf.subarray(pos, pos + 16)); // decimal128, kept opaque
        pos += 16;
        break;
      default:
        throw new Error(`BSON type 0x${(type ?? 0).toString(16)} (field ${key}) is not supported by this minimal decoder`);
    }
  }
  return doc;
}

// ---------------------------------------------------------------------------
// Connection strings

export interface MongoTarget {
  hosts: { host: string; port: number }[];
  srv: boolean;
  username?: string;
  password?: string;
  authSource: string;
  authMechanism?: string;
  tls: boolean;
  tlsInsecure: boolean;
  tlsCAFile?: string;
  /** Everything of the original URL, for rebuilding it with another database name. */
  scheme: string;
  userinfo: string;
  hostList: string;
  database: string;
  query: URLSearchParams;
}

const MONGO_URL = /^(mongodb(?:\+srv)?):\/\/(?:([^@/]*)@)?([^/?]+)(?:\/([^?]*))?(?:\?(.*))?$/;

export function parseMongoUrl(raw: string): MongoTarget {
  const match = MONGO_URL.exec(raw.trim());
  if (match === null) throw new Error('not of the form mongodb://[user:pass@]host[:port][,host…]/[db][?options]');
  const [, scheme = 'mongodb', userinfo = '', hostList = '', database = '', query = ''] = match;
  const params = new URLSearchParams(query);
  const srv = scheme === 'mongodb+srv';
  const hosts = hostList.split(',').map((entry) => {
    const ipv6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (ipv6 !== null) return { host: ipv6[1] ?? '', port: Number(ipv6[2] ?? 27017) };
    const [host = '', port] = entry.split(':');
    return { host, port: Number(port ?? 27017) };
  });
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== '') {
    const colon = userinfo.indexOf(':');
    username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
  }
  const db = decodeURIComponent(database);
  const flag = (name: string): boolean => params.get(name)?.toLowerCase() === 'true';
  return {
    hosts,
    srv,
    username,
    password,
    authSource: params.get('authSource') ?? (db === '' ? 'admin' : db),
    authMechanism: params.get('authMechanism') ?? undefined,
    tls: params.has('tls') || params.has('ssl') ? flag('tls') || flag('ssl') : srv,
    tlsInsecure: flag('tlsInsecure') || flag('tlsAllowInvalidCertificates'),
    tlsCAFile: params.get('tlsCAFile') ?? undefined,
    scheme,
    userinfo,
    hostList,
    database: db,
    query: params,
  };
}

/** The same server and credentials, another database; authSource pinned so auth still works. */
export function mongoUrlWithDatabase(target: MongoTarget, database: string): string {
  const query = new URLSearchParams(target.query);
  if (target.username !== undefined && !query.has('authSource')) query.set('authSource', target.authSource);
  const search = query.toString();
  const creds = target.userinfo === '' ? '' : `${target.userinfo}@`;
  return `${target.scheme}://${creds}${target.hostList}/${encodeURIComponent(database)}${search === '' ? '' : `?${search}`}`;
}

async function resolveHosts(target: MongoTarget): Promise<{ hosts: { host: string; port: number }[]; authSource: string }> {
  if (!target.srv) return { hosts: target.hosts, authSource: target.authSource };
  const name = target.hosts[0]?.host ?? '';
  const records = await resolveSrv(`_mongodb._tcp.${name}`);
  let authSource = target.authSource;
  if (!target.query.has('authSource')) {
    // Atlas publishes authSource in a TXT record next to the SRV one.
    const txt = await resolveTxt(name).catch(() => [] as string[][]);
    const fromTxt = new URLSearchParams(txt.map((chunks) => chunks.join('')).join('&')).get('authSource');
    if (fromTxt !== null) authSource = fromTxt;
  }
  return { hosts: records.map((r) => ({ host: r.name, port: r.port })), authSource };
}

// ---------------------------------------------------------------------------
// Connections and OP_MSG

const OP_MSG = 2013;
const TIMEOUT_MS = 5000;

class Connection {
  private buffered = Buffer.alloc(0);
  private waiting: { resolve: (doc: BsonDocument) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private nextId = 1;

  constructor(private readonly socket: Socket) {
    socket.setTimeout(TIMEOUT_MS);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.drain();
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      this.waiting?.reject(error);
      this.waiting = undefined;
    };
    socket.on('error', fail);
    socket.on('timeout', () => {
      fail(new Error(`MongoDB did not answer within ${TIMEOUT_MS} ms`));
      socket.destroy();
    });
    socket.on('close', () => fail(new Error('MongoDB closed the connection')));
  }

  static open(host: string, port: number, target: MongoTarget): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = target.tls
        ? tlsConnect({
            host,
            port,
            servername: /^[\d.]+$|:/.test(host) ? undefined : host,
            rejectUnauthorized: !target.tlsInsecure,
            ca: target.tlsCAFile === undefined ? undefined : readFileSync(target.tlsCAFile),
          })
        : netConnect({ host, port });
      const ready = target.tls ? 'secureConnect' : 'connect';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error(`connecting to ${host}:${port} timed out`), { code: 'ETIMEDOUT' }));
      }, TIMEOUT_MS);
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        resolve(new Connection(socket));
      });
      const onError = (error: Error): void => {
        clearTimeout(timer);
        reject(error);
      };
      socket.once('error', onError);
    });
  }

  private drain(): void {
    if (this.buffered.length < 4) return;
    const length = this.buffered.readInt32LE(0);
    if (this.buffered.length < length) return;
    const message = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    const waiter = this.waiting;
    this.waiting = undefined;
    try {
      const opCode = message.readInt32LE(12);
      if (opCode !== OP_MSG) throw new Error(`unexpected reply opcode ${opCode}`);
      // header (16) + flagBits (4) + section kind byte (1), then the body document
      if (message[20] !== 0) throw new Error('unexpected OP_MSG section kind');
      waiter?.resolve(decodeBson(message, 21));
    } catch (error) {
      waiter?.reject(error as Error);
    }
  }

  /** Sends one command and returns the reply; a reply with ok != 1 becomes an Error. */
  run(database: string, command: BsonDocument): Promise<BsonDocument> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const body = encodeBson({ ...command, $db: database });
    const header = Buffer.alloc(21);
    header.writeInt32LE(21 + body.length, 0);
    header.writeInt32LE(this.nextId++, 4);
    header.writeInt32LE(0, 8);
    header.writeInt32LE(OP_MSG, 12);
    header.writeUInt32LE(0, 16);
    header[20] = 0;
    return new Promise<BsonDocument>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(Buffer.concat([header, body]));
    }).then((reply) => {
      if (reply.ok !== 1) {
        const name = Object.keys(command)[0];
        throw new Error(`MongoDB command ${name} failed: ${String(reply.errmsg ?? 'no message')} (code ${String(reply.code ?? '?')})`);
      }
      return reply;
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

// ---------------------------------------------------------------------------
// SCRAM (RFC 5802 / 7677), the default MongoDB authentication since 3.0

export interface ScramState {
  mechanism: 'SCRAM-SHA-1' | 'SCRAM-SHA-256';
  clientNonce: string;
  clientFirstBare: string;
}

function saslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

export function scramClientFirst(mechanism: ScramState['mechanism'], username: string, clientNonce = randomBytes(24).toString('base64')): ScramState & { message: string } {
  const clientFirstBare = `n=${saslName(username)},r=${clientNonce}`;
  return { mechanism, clientNonce, clientFirstBare, message: `n,,${clientFirstBare}` };
}

/** Computes the client-final message and the server signature we must get back. */
export function scramClientFinal(
  state: ScramState,
  username: string,
  password: string,
  serverFirst: string,
): { message: string; expectedServerSignature: string } {
  const fields = Object.fromEntries(serverFirst.split(',').map((kv) => [kv.slice(0, 1), kv.slice(2)]));
  const serverNonce = fields.r ?? '';
  const salt = Buffer.from(fields.s ?? '', 'base64');
  const iterations = Number(fields.i);
  if (!serverNonce.startsWith(state.clientNonce)) throw new Error('SCRAM: server nonce does not extend ours');
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error('SCRAM: bad iteration count');
  const sha1 = state.mechanism === 'SCRAM-SHA-1';
  const hash = sha1 ? 'sha1' : 'sha256';
  // SCRAM-SHA-1 in MongoDB hashes the legacy MONGODB-CR digest instead of the password.
  // For SHA-256, SASLprep reduces to NFKC normalisation for ordinary passwords.
  const secret = sha1 ? createHash('md5').update(`${username}:mongo:${password}`).digest('hex') : password.normalize('NFKC');
  const salted = pbkdf2Sync(secret, salt, iterations, sha1 ? 20 : 32, hash);
  const hmac = (key: Buffer, text: string): Buffer => createHmac(hash, key).update(text).digest();
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash(hash).update(clientKey).digest();
  const withoutProof = `c=biws,r=${serverNonce}`;
  const authMessage = `${state.clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(storedKey, authMessage);
  const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] ?? 0)));
  const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
  return { message: `${withoutProof},p=${proof.toString('base64')}`, expectedServerSignature: serverSignature };
}

async function authenticate(conn: Connection, target: MongoTarget, authSource: string, hello: BsonDocument): Promise<void> {
  const username = target.username ?? '';
  const password = target.password ?? '';
  const offered = Array.isArray(hello.saslSupportedMechs) ? hello.saslSupportedMechs.map(String) : [];
  const requested = target.authMechanism;
  if (requested !== undefined && requested !== 'SCRAM-SHA-256' && requested !== 'SCRAM-SHA-1' && requested !== 'DEFAULT') {
    throw new Error(`authMechanism=${requested} is not supported by the test helper; use a SCRAM user in MONGODB_URL`);
  }
  const mechanism: ScramState['mechanism'] =
    requested === 'SCRAM-SHA-1' || (requested !== 'SCRAM-SHA-256' && offered.length > 0 && !offered.includes('SCRAM-SHA-256'))
      ? 'SCRAM-SHA-1'
      : 'SCRAM-SHA-256';
  const first = scramClientFirst(mechanism, username);
  const started = await conn.run(authSource, {
    saslStart: 1,
    mechanism,
    payload: Buffer.from(first.message),
    autoAuthorize: 1,
    options: { skipEmptyExchange: true },
  });
  const serverFirst = Buffer.from(started.payload as Uint8Array).toString('utf8');
  const final = scramClientFinal(first, username, password, serverFirst);
  let reply = await conn.run(authSource, {
    saslContinue: 1,
    conversationId: started.conversationId as number,
    payload: Buffer.from(final.message),
  });
  const serverFinal = Buffer.from(reply.payload as Uint8Array).toString('utf8');
  const verifier = /(?:^|,)v=([^,]*)/.exec(serverFinal)?.[1] ?? '';
  const expected = Buffer.from(final.expectedServerSignature);
  if (verifier.length !== expected.length || !timingSafeEqual(Buffer.from(verifier), expected)) {
    throw new Error('SCRAM: the server could not prove it knows the password; is MONGODB_URL pointing at the right server?');
  }
  while (reply.done !== true) {
    reply = await conn.run(authSource, { saslContinue: 1, conversationId: reply.conversationId as number, payload: new Uint8Array(0) });
  }
}

// ---------------------------------------------------------------------------

async function openPrimary(target: MongoTarget): Promise<Connection> {
  const { hosts, authSource } = await resolveHosts(target);
  const errors: string[] = [];
  const queue = [...hosts];
  const tried = new Set<string>();
  while (queue.length > 0) {
    const { host, port } = queue.shift() as { host: string; port: number };
    const key = `${host}:${port}`;
    if (tried.has(key)) continue;
    tried.add(key);
    let conn: Connection | undefined;
    try {
      conn = await Connection.open(host, port, target);
      const hello = await conn.run('admin', {
        hello: 1,
        ...(target.username === undefined ? {} : { saslSupportedMechs: `${authSource}.${target.username}` }),
      });
      const writable = hello.isWritablePrimary === true || hello.ismaster === true;
      if (!writable && typeof hello.primary === 'string') {
        // dropDatabase must reach the primary of a replica set.
        conn.close();
        const [primaryHost = '', primaryPort = '27017'] = hello.primary.split(':');
        queue.unshift({ host: primaryHost, port: Number(primaryPort) });
        continue;
      }
      if (target.username !== undefined) await authenticate(conn, target, authSource, hello);
      return conn;
    } catch (error) {
      conn?.close();
      errors.push(`${key}: ${(error as Error).message || String((error as { code?: string }).code)}`);
    }
  }
  throw new Error(`could not reach a usable MongoDB server (${errors.join('; ') || 'no hosts in the URL'})`);
}

/** Runs one command against `database` on the primary named by the target. */
export async function mongoCommand(target: MongoTarget, database: string, command: BsonDocument): Promise<BsonDocument> {
  const conn = await openPrimary(target);
  try {
    return await conn.run(database, command);
  } finally {
    conn.close();
  }
}
