/**
 * A pretend MongoDB server (OP_MSG over TCP) for testing mongo-wire.ts and the mongo
 * branch of databases.ts on a machine where no real MongoDB can run. It implements only
 * what those modules send: hello, ping, listDatabases, dropDatabase and SCRAM-SHA-256.
 * The SCRAM side is the server's half of RFC 5802, written independently of the client.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { decodeBson, encodeBson, type BsonDocument } from '../../support/mongo-wire.js';

export interface FakeMongo {
  port: number;
  databases: Set<string>;
  /** Every command received, as `<db>.<command name>`. */
  commands: string[];
  close(): Promise<void>;
}

export async function startFakeMongo(options: { user?: { name: string; password: string } } = {}): Promise<FakeMongo> {
  const databases = new Set<string>(['admin', 'local']);
  const commands: string[] = [];
  const salt = randomBytes(16);
  const iterations = 4096;
  const salted = options.user ? pbkdf2Sync(options.user.password, salt, iterations, 32, 'sha256') : Buffer.alloc(0);
  const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

  const handle = (state: { authed: boolean; conversation?: { clientFirstBare: string; serverFirst: string; nonce: string } }, cmd: BsonDocument): BsonDocument => {
    const name = Object.keys(cmd)[0] ?? '';
    const db = String(cmd.$db);
    commands.push(`${db}.${name}`);
    if (name === 'hello') {
      return { isWritablePrimary: true, maxWireVersion: 21, ok: 1, ...(cmd.saslSupportedMechs ? { saslSupportedMechs: ['SCRAM-SHA-256'] } : {}) };
    }
    if (name === 'saslStart') {
      const message = Buffer.from(cmd.payload as Uint8Array).toString('utf8');
      const clientFirstBare = message.replace(/^n,,/, '');
      const clientNonce = /r=([^,]*)/.exec(clientFirstBare)?.[1] ?? '';
      const nonce = clientNonce + randomBytes(12).toString('base64');
      const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
      state.conversation = { clientFirstBare, serverFirst, nonce };
      return { conversationId: 1, done: false, payload: Buffer.from(serverFirst), ok: 1 };
    }
    if (name === 'saslContinue') {
      const conv = state.conversation;
      const final = Buffer.from(cmd.payload as Uint8Array).toString('utf8');
      const withoutProof = final.replace(/,p=[^,]*$/, '');
      const proof = Buffer.from(/,p=([^,]*)$/.exec(final)?.[1] ?? '', 'base64');
      const authMessage = `${conv?.clientFirstBare},${conv?.serverFirst},${withoutProof}`;
      const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
      const signature = hmac(storedKey, authMessage);
      const clientKey = Buffer.from(proof.map((b, i) => b ^ (signature[i] ?? 0)));
      const ok = conv !== undefined && withoutProof === `c=biws,r=${conv.nonce}` && createHash('sha256').update(clientKey).digest().equals(storedKey);
      if (!ok) return { ok: 0, errmsg: 'Authentication failed.', code: 18 };
      state.authed = true;
      const verifier = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
      return { conversationId: 1, done: true, payload: Buffer.from(`v=${verifier}`), ok: 1 };
    }
    if (options.user && !state.authed) return { ok: 0, errmsg: `command ${name} requires authentication`, code: 13 };
    if (name === 'ping') return { ok: 1 };
    if (name === 'listDatabases') return { databases: [...databases].map((n) => ({ name: n })), ok: 1 };
    if (name === 'dropDatabase') {
      databases.delete(db);
      return { ok: 1 };
    }
    return { ok: 0, errmsg: `no such command: '${name}'`, code: 59 };
  };

  const server = createServer((socket) => {
    let buffered = Buffer.alloc(0);
    const state = { authed: false };
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= buffered.readInt32LE(0)) {
        const length = buffered.readInt32LE(0);
        const message = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        const requestId = message.readInt32LE(4);
        const reply = encodeBson(handle(state, decodeBson(message, 21)));
        const header = Buffer.alloc(21);
        header.writeInt32LE(21 + reply.length, 0);
        header.writeInt32LE(requestId + 1000, 4);
        header.writeInt32LE(requestId, 8);
        header.writeInt32LE(2013, 12);
        socket.write(Buffer.concat([header, reply]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    databases,
    commands,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
