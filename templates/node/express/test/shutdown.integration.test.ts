import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { loadDotenv, testDatabaseUrl } from '../src/config.ts';
import { migrate } from '../src/db/migrate.ts';
import { createRepository } from '../src/db/repository.ts';

// The real server process (src/server.ts) against the real database: SIGTERM must let every
// request it already accepted finish, accept nothing new, close the pool and exit 0.

loadDotenv();
const url = testDatabaseUrl();
const IN_FLIGHT = 10;
const createdIds: string[] = [];
let port = 0;

afterAll(async () => {
  const repository = createRepository(url);
  for (const id of createdIds) await repository.remove(id);
  await repository.close();
});

function startServer(): { child: ChildProcess; port: Promise<number> } {
  const child = spawn(process.execPath, ['src/server.ts'], {
    env: { ...process.env, DATABASE_URL: url, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const listening = /"port":(\d+)[^\n]*"msg":"listening"/.exec(out);
      if (listening) resolve(Number(listening[1]));
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${out}`)));
  });
  return { child, port };
}

/**
 * A POST the server has accepted but whose body is still to come: it asks `Expect: 100-continue`
 * and waits for the server's `100 Continue`, which Node sends once it has parsed the request and
 * handed it to the app. `finish()` sends the body and resolves with the final response.
 */
async function acceptedPost(port: number, name: string): Promise<{ finish(): Promise<string> }> {
  const body = JSON.stringify({ name });
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let response = '';
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(response)));
  const continued = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      response += chunk.toString();
      if (response.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) resolve();
    });
  });
  socket.write(
    `POST /items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
  );
  await continued;
  return {
    async finish() {
      socket.write(body);
      // What follows the interim 100 Continue is the real response.
      return (await closed).slice('HTTP/1.1 100 Continue\r\n\r\n'.length);
    },
  };
}

function connectionRefused(): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const late = net.connect(port, '127.0.0.1');
    late.once('connect', () => {
      late.destroy();
      resolve(false);
    });
    late.once('error', () => resolve(true));
  });
}

it('on SIGTERM answers every accepted request, refuses new connections and exits 0', async () => {
  await migrate(url);
  const { child, port: listening } = startServer();
  port = await listening;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const pending = await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => acceptedPost(port, `shutdown ${i}`)));
  child.kill('SIGTERM');
  // Once the signal is handled, the port is closed: a new connection is refused.
  await expect.poll(connectionRefused, { timeout: 5_000, interval: 50 }).toBe(true);

  const finished = Date.now();
  const responses = await Promise.all(pending.map((p) => p.finish()));
  for (const raw of responses) {
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 201 Created');
    createdIds.push(String(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).id));
  }
  expect(await exited).toEqual({ code: 0, signal: null });
  // Promptly: a served keep-alive connection must not hold the exit until its idle timeout (5 s).
  expect(Date.now() - finished).toBeLessThan(4_000);
}, 30_000);
