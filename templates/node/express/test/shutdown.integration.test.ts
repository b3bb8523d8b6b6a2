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

/** A POST whose body is held back after its first bytes; `finish()` sends the rest and resolves with the raw response. */
async function halfSentPost(port: number, name: string): Promise<{ finish(): Promise<string> }> {
  const body = JSON.stringify({ name });
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let response = '';
  socket.on('data', (chunk: Buffer) => {
    response += chunk.toString();
  });
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(response)));
  socket.write(
    `POST /items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 5)}`,
  );
  return {
    finish() {
      socket.write(body.slice(5));
      return closed;
    },
  };
}

it('on SIGTERM answers every accepted request, refuses new connections and exits 0', async () => {
  await migrate(url);
  const { child, port: listening } = startServer();
  const port = await listening;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const pending = await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => halfSentPost(port, `shutdown ${i}`)));
  // Let the server read their headers: until then a connection carries no request, and an
  // idle connection is what a shutdown closes.
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));

  const refused = await new Promise<boolean>((resolve) => {
    const late = net.connect(port, '127.0.0.1');
    late.once('connect', () => {
      late.destroy();
      resolve(false);
    });
    late.once('error', () => resolve(true));
  });
  expect(refused, 'a connection opened after SIGTERM was accepted').toBe(true);

  const finished = Date.now();
  const responses = await Promise.all(pending.map((p) => p.finish()));
  for (const raw of responses) {
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 201 Created');
    createdIds.push(String(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).id));
  }
  expect(await exited).toEqual({ code: 0, signal: null });
  // Promptly: a served keep-alive connection must not hold the exit until its idle timeout (5 s).
  expect(Date.now() - finished).toBeLessThan(3_000);
}, 30_000);
