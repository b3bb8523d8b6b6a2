/**
 * The black-box hostile-input check: what a generated service does with input a fuzzer,
 * a scanner or a broken client sends. Every answer must be a 4xx JSON error (405/501 for
 * unknown methods), never a 5xx, a hang or a silently altered item; oversize bodies are
 * refused before they are read whole; stalled requests time out; pipelined requests are
 * all answered. Same report shape as contract.ts; every check can fail.
 *
 * Requests go over raw sockets (raw-http.ts): fetch cannot send CONNECT, FOO, lying
 * Content-Length headers, slow or unfinished bodies, or pipelined requests.
 */
import { rawExchange, requestHead, sendAll, type RawConnection, type RawOptions, type RawOutcome, type RawResponse } from './raw-http.js';
import { CheckFailure, Checks, excerpt, type CheckReport } from './report.js';

export interface HostileOptions {
  log?: (line: string) => void;
  /** How long any single request may take to be answered; default 10 s. */
  timeoutMs?: number;
  /**
   * How soon a declared oversize body must get its 413; default 5 s. A server that waits for
   * the body never answers in time (only 10 bytes come), so the bound need not be tight.
   */
  promptMs?: number;
  /** How long a server may wait on a stalled request before answering 408 or closing; default 35 s. */
  stallBoundMs?: number;
}

const MIB = 1024 * 1024;
const JSON_TYPE = /^application\/json\s*(;|$)/i;
/** Deeper than the contract's limit of 64 under any way of counting (the root is level 1 or 0). */
const JUST_TOO_DEEP = 66;

interface Sent {
  /** How the request reads in a failure message. */
  request: string;
  outcome: RawOutcome;
}

/** Shows bytes as readable text, with anything outside printable ASCII escaped. */
function printable(bytes: Buffer, max = 160): string {
  let out = '';
  for (const byte of bytes.subarray(0, max)) {
    out += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : byte === 0x0d ? '\\r' : byte === 0x0a ? '\\n' : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > max ? `${out}… (${bytes.length} bytes)` : out;
}

function describeOutcome(outcome: RawOutcome): string {
  const response = outcome.responses[0];
  if (response) return describeResponse(response);
  const how: Record<RawOutcome['end'], string> = {
    complete: 'a response',
    closed: 'the server closed the connection without a response',
    reset: 'the connection was reset without a response',
    timeout: 'no response before the timeout',
    unparseable: 'an unparseable response',
    refused: 'no connection',
  };
  return `${how[outcome.end]} after ${outcome.endMs} ms${outcome.error ? ` (${outcome.error})` : ''}`;
}

function describeResponse(response: RawResponse): string {
  return `HTTP ${response.status}, Content-Type ${response.headers['content-type'] ?? '(none)'}, body ${response.text === '' ? '(empty)' : excerpt(response.text, 200)}`;
}

function failWith(sent: Sent, expected: string): never {
  throw new CheckFailure(`expected ${expected}\n  request: ${sent.request}\n  got: ${describeOutcome(sent.outcome)}`);
}

function response(sent: Sent, expected: string): RawResponse {
  const first = sent.outcome.responses[0];
  if (!first) failWith(sent, expected);
  return first;
}

/** A JSON error {"error": "…"} with one of `statuses`; a 5xx is called out as such. */
function expectJsonError(sent: Sent, statuses: (status: number) => boolean, expected: string): RawResponse {
  const got = response(sent, expected);
  if (got.status >= 500 && !statuses(got.status)) failWith(sent, `${expected}, never a 5xx`);
  if (!statuses(got.status)) failWith(sent, expected);
  if (!JSON_TYPE.test(got.headers['content-type'] ?? '')) failWith(sent, `${expected} with Content-Type application/json`);
  let body: unknown;
  try {
    body = JSON.parse(got.text);
  } catch {
    failWith(sent, `${expected} with a JSON body`);
  }
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error !== 'string' || error.trim() === '') failWith(sent, `${expected} as {"error": "<message>"}`);
  return got;
}

const is = (...statuses: number[]) => (status: number) => statuses.includes(status);
const any4xx = (status: number) => status >= 400 && status < 500;
const methodRefused = (status: number) => any4xx(status) || status === 501;

class Client {
  readonly createdIds = new Set<string>();

  constructor(
    readonly baseUrl: string,
    readonly timeoutMs: number,
  ) {}

  get host(): string {
    return new URL(this.baseUrl).host;
  }

  /**
   * Requests that got no answer in time. From the third on, the service is taken to have
   * stopped answering (what the HTTP server itself answers, e.g. a 400 for a malformed
   * request, says nothing about the application behind it).
   */
  private unanswered = 0;

  async send(method: string, target: string, body?: Buffer, headers: Record<string, string | number> = {}): Promise<Sent> {
    const head = requestHead(method, target, body === undefined ? headers : { 'Content-Type': 'application/json', 'Content-Length': body.length, ...headers }, this.host);
    const outcome = await this.exchange(this.timeoutMs, sendAll(head, body ?? Buffer.alloc(0)));
    this.remember(method, target, outcome.responses);
    return { request: `${method} ${excerpt(target, 120)}${body === undefined ? '' : ` with body ${printable(body)}`}`, outcome };
  }

  /** Every exchange goes through here, so a hung service is noticed whichever check meets it. */
  async exchange(timeoutMs: number, send: RawOptions['send'], responses = 1): Promise<RawOutcome> {
    // A hung service fails every remaining check either way; a short wait keeps the run bounded.
    const wait = this.unanswered >= 3 ? Math.min(timeoutMs, 250) : timeoutMs;
    const outcome = await rawExchange(this.baseUrl, { timeoutMs: wait, send, responses });
    if (outcome.end === 'timeout' && outcome.responses.length === 0) this.unanswered++;
    if (outcome.end === 'timeout' && wait < timeoutMs) outcome.error = `the service had stopped answering (${this.unanswered} requests unanswered so far); waited ${wait} ms`;
    return outcome;
  }

  /** Ids of items a POST created, including ones a buggy server should have refused. */
  remember(method: string, target: string, responses: readonly RawResponse[]): void {
    if (method !== 'POST' || !target.startsWith('/items')) return;
    for (const r of responses) {
      if (r.status !== 201) continue;
      try {
        const id = (JSON.parse(r.text) as { id?: unknown }).id;
        if (typeof id === 'number' || typeof id === 'string') this.createdIds.add(String(id));
      } catch {
        // Not an item: nothing to clean up.
      }
    }
  }

  async cleanUp(): Promise<void> {
    for (const id of this.createdIds) {
      // Best effort: a broken service must not hide the real report.
      await this.send('DELETE', `/items/${encodeURIComponent(id)}`).catch(() => undefined);
    }
  }
}

/** What a 2xx that should have been a 400 stored, so "silently altered" is visible in the report. */
function storedNote(sent: Sent): string {
  const got = sent.outcome.responses[0];
  if (!got || got.status >= 300) return '';
  try {
    const item = JSON.parse(got.text) as { name?: unknown; description?: unknown };
    const escape = (value: unknown) => JSON.stringify(value)?.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return ` (it stored name ${escape(item.name)}, description ${escape(item.description)}: input silently altered or accepted)`;
  } catch {
    return '';
  }
}

function expectRefused400(sent: Sent): void {
  const got = sent.outcome.responses[0];
  if (got && got.status < 300) failWith(sent, `HTTP 400 JSON error${storedNote(sent)}`);
  expectJsonError(sent, is(400), 'HTTP 400 JSON error');
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');
const bytes = (...parts: (string | number[])[]): Buffer =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? utf8(part) : Buffer.from(part))));

/** Bodies POST and PUT must refuse with 400: [what, body]. */
function hostileBodies(): [string, Buffer][] {
  const nest = (depth: number, open: string, close: string, inner = '') => open.repeat(depth) + inner + close.repeat(depth);
  return [
    [`JSON nested ${JUST_TOO_DEEP} levels deep in an unknown field`, utf8(`{"name":"deep","extra":${nest(JUST_TOO_DEEP - 1, '[', ']')}}`)],
    ['a 10,000-deep JSON array', utf8(nest(10_000, '[', ']'))],
    ['a 10,000-deep JSON object', utf8(nest(10_000, '{"a":', '}', '{}'))],
    ['a 10,000-deep array as the name', utf8(`{"name":${nest(10_000, '[', ']')}}`)],
    ['a lone high surrogate \\ud800 in name', utf8('{"name":"a\\ud800b"}')],
    ['a lone low surrogate \\udc00 in name', utf8('{"name":"a\\udc00b"}')],
    ['a reversed surrogate pair \\udc00\\ud800 in name', utf8('{"name":"\\udc00\\ud800"}')],
    ['a lone surrogate \\ud800 in description', utf8('{"name":"x","description":"a\\ud800"}')],
    ['invalid UTF-8 (byte 0xFF) in name', bytes('{"name":"a', [0xff], 'b"}')],
    ['an overlong UTF-8 encoding (0xC0 0xAF) in name', bytes('{"name":"a', [0xc0, 0xaf], 'b"}')],
    ['a UTF-8-encoded surrogate (0xED 0xA0 0x80) in name', bytes('{"name":"a', [0xed, 0xa0, 0x80], 'b"}')],
    ['a truncated UTF-8 sequence (0xE2 0x82) in name', bytes('{"name":"a', [0xe2, 0x82], '"}')],
    ['invalid UTF-8 (byte 0xFE) in description', bytes('{"name":"x","description":"', [0xfe], '"}')],
    ['NUL (\\u0000) in name', utf8('{"name":"a\\u0000b"}')],
    ['NUL (\\u0000) in description', utf8('{"name":"x","description":"a\\u0000b"}')],
    ['a raw NUL byte inside a JSON string', bytes('{"name":"a', [0x00], 'b"}')],
  ];
}

/** Unusual but valid names that must be stored exactly as sent: [what, body, expected name]. */
function validOddNames(tag: string): [string, Buffer, string][] {
  return [
    ['an escaped surrogate pair (U+1F600)', utf8(`{"name":"pair \\ud83d\\ude00 ${tag}"}`), `pair \u{1f600} ${tag}`],
    ['a literal 4-byte UTF-8 character (U+1D11E)', utf8(`{"name":"clef \u{1d11e} ${tag}"}`), `clef \u{1d11e} ${tag}`],
    ['a literal U+FFFD and U+2028', utf8(`{"name":"odd \ufffd\u2028 ${tag}"}`), `odd \ufffd\u2028 ${tag}`],
  ];
}

export async function checkHostile(baseUrl: string, opts: HostileOptions = {}): Promise<CheckReport> {
  const client = new Client(baseUrl, opts.timeoutMs ?? 10_000);
  const run = new Checks(opts.log);
  const stallBound = opts.stallBoundMs ?? 35_000;
  try {
    await checkBodies(client, run);
    await checkPaging(client, run);
    await checkPercentEscapes(client, run);
    await checkMethods(client, run);
    await checkBodyLimits(client, run, opts.promptMs ?? 5000);
    await checkFraming(client, run);
    await checkPipelining(client, run);
    // Last, and only the two together: a single-threaded server blocked by a stalled
    // request must not turn every other check into a timeout.
    for (const [name, outcome] of await checkStalls(client, stallBound)) {
      if (typeof outcome === 'string') run.fail(name, outcome);
      else run.pass(name);
    }
  } finally {
    await client.cleanUp();
  }
  return run.report;
}

async function checkBodies(client: Client, run: Checks): Promise<void> {
  const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  for (const [what, body] of hostileBodies()) {
    await run.check(`POST /items with ${what} → 400 JSON error`, async () => {
      expectRefused400(await client.send('POST', '/items', body));
    });
  }
  let target: string | undefined;
  const create = await client.send('POST', '/items', utf8(JSON.stringify({ name: `hostile put target ${tag}` })));
  const created = create.outcome.responses[0];
  if (created?.status === 201) target = String((JSON.parse(created.text) as { id: unknown }).id);
  for (const [what, body] of hostileBodies()) {
    await run.check(`PUT /items/:id with ${what} → 400 JSON error`, async () => {
      if (target === undefined) throw new CheckFailure(`not run: could not create the item it updates\n  request: ${create.request}\n  got: ${describeOutcome(create.outcome)}`);
      expectRefused400(await client.send('PUT', `/items/${encodeURIComponent(target)}`, body));
    });
  }
  for (const [what, body, name] of validOddNames(tag)) {
    await run.check(`POST /items with ${what} in name → 201, stored exactly as sent`, async () => {
      const sent = await client.send('POST', '/items', body);
      const got = response(sent, 'HTTP 201');
      if (got.status !== 201) failWith(sent, 'HTTP 201 (valid Unicode must not be refused)');
      const item = JSON.parse(got.text) as { id: unknown; name: unknown };
      if (item.name !== name) failWith(sent, `name ${JSON.stringify(name)} exactly${storedNote(sent)}`);
      const read = await client.send('GET', `/items/${encodeURIComponent(String(item.id))}`);
      const again = response(read, 'HTTP 200');
      if (again.status !== 200 || (JSON.parse(again.text) as { name: unknown }).name !== name) failWith(read, `HTTP 200 with name ${JSON.stringify(name)} (as stored)`);
    });
  }
}

async function checkPaging(client: Client, run: Checks): Promise<void> {
  const huge = '9'.repeat(5000);
  const cases: [string, (status: number) => boolean, string][] = [
    [`limit=${huge}`, is(400), 'HTTP 400 JSON error'],
    [`limit=-${huge}`, is(400), 'HTTP 400 JSON error'],
    [`limit=1${'0'.repeat(19)}`, is(400), 'HTTP 400 JSON error'],
    [`offset=${huge}`, is(400, 200), 'HTTP 400 JSON error (or 200 [])'],
    ['offset=99999999999999999999', is(400, 200), 'HTTP 400 JSON error (or 200 [])'],
    [`offset=-${huge}`, is(400), 'HTTP 400 JSON error'],
  ];
  for (const [query, ok, expected] of cases) {
    const [param, value = ''] = query.split('=');
    const shown = value.length > 24 ? `${value.slice(0, 12)}…(${value.replace(/^-/, '').length} digits)` : value;
    await run.check(`GET /items?${param}=${shown} → ${expected}`, async () => {
      const sent = await client.send('GET', `/items?${query}`);
      const got = response(sent, expected);
      if (got.status === 200 && ok(200)) {
        if (got.text.trim() !== '[]') failWith(sent, `${expected}: a number past any real offset lists nothing, so the value was altered`);
        return;
      }
      expectJsonError(sent, (status) => status !== 200 && ok(status), expected);
    });
  }
}

async function checkPercentEscapes(client: Client, run: Checks): Promise<void> {
  const cases: [string, string, (status: number) => boolean, string][] = [
    ['GET', '/items/%ff', is(400, 404), 'HTTP 400 or 404 JSON error'],
    ['GET', '/items/%', is(400, 404), 'HTTP 400 or 404 JSON error'],
    ['GET', '/items/%c0%af', is(400, 404), 'HTTP 400 or 404 JSON error'],
    ['GET', '/items/%00', is(400, 404), 'HTTP 400 or 404 JSON error'],
    ['DELETE', '/items/%ff', is(400, 404), 'HTTP 400 or 404 JSON error'],
    ['GET', '/%ff', is(400, 404), 'HTTP 400 or 404 JSON error'],
    ['GET', '/items?limit=%ff', is(400), 'HTTP 400 JSON error'],
    ['GET', '/items?offset=%ff', is(400), 'HTTP 400 JSON error'],
    ['GET', '/items?limit=%', is(400), 'HTTP 400 JSON error'],
    ['GET', '/items?limit=%00', is(400), 'HTTP 400 JSON error'],
  ];
  for (const [method, target, ok, expected] of cases) {
    await run.check(`${method} ${target} (undecodable percent-escape) → ${expected}`, async () => {
      expectJsonError(await client.send(method, target), ok, expected);
    });
  }
  await run.check('PUT /items/%ff with a valid body → HTTP 400 or 404 JSON error', async () => {
    expectJsonError(await client.send('PUT', '/items/%ff', utf8('{"name":"x"}')), is(400, 404), 'HTTP 400 or 404 JSON error');
  });
}

async function checkMethods(client: Client, run: Checks): Promise<void> {
  const expected = 'a 4xx (405 or 400) or 501 JSON error';
  for (const [method, target] of [
    ['FOO', '/items'],
    ['TRACE', '/items'],
    ['CONNECT', client.host],
    ['CONNECT', '/items'],
  ] as const) {
    await run.check(`${method} ${target === client.host ? '<host:port>' : target} → ${expected}`, async () => {
      expectJsonError(await client.send(method, target), methodRefused, expected);
    });
  }
}

async function checkBodyLimits(client: Client, run: Checks, promptMs: number): Promise<void> {
  await run.check(`POST /items declaring Content-Length: 2147483648 and sending 10 bytes → 413 JSON error within ${promptMs} ms, without waiting for the body`, async () => {
    const head = requestHead('POST', '/items', { 'Content-Type': 'application/json', 'Content-Length': 2147483648 }, client.host);
    const outcome = await client.exchange(promptMs, sendAll(head, '{"name":"x'));
    const sent = { request: 'POST /items with Content-Length: 2147483648 and a 10-byte body, then nothing', outcome };
    expectJsonError(sent, is(413), 'HTTP 413 JSON error');
  });

  const total = 6 * MIB;
  const chunk = 32 * 1024;
  const pauseMs = 10;
  await run.check('POST /items streaming a chunked body past 1 MiB slowly → 413 JSON error before the body ends', async () => {
    const head = requestHead('POST', '/items', { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, client.host);
    const piece = Buffer.concat([utf8(`${chunk.toString(16)}\r\n`), Buffer.alloc(chunk, 0x20), utf8('\r\n')]);
    let finishedSending = false;
    const outcome = await client.exchange(client.timeoutMs + 10_000, async (conn: RawConnection) => {
      if (!(await conn.write(`${head}${(7).toString(16)}\r\n{"a":1,\r\n`))) return;
      for (let sent = 0; sent < total; sent += chunk) {
        if (conn.responses.length > 0 || !(await conn.write(piece))) return;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
      finishedSending = true;
      await conn.write('1\r\n}\r\n0\r\n\r\n');
    });
    const sent = { request: `POST /items, Transfer-Encoding: chunked, ${chunk / 1024} KiB every ${pauseMs} ms up to ${total / MIB} MiB`, outcome };
    const got = expectJsonError(sent, is(413), 'HTTP 413 JSON error');
    if (finishedSending) failWith(sent, `the 413 before all ${total / MIB} MiB were sent (the server read the whole body first; answered after ${got.atMs} ms)`);
  });
}

async function checkFraming(client: Client, run: Checks): Promise<void> {
  const body = '{"name":"framing"}';
  const cases: [string, string, (status: number) => boolean, string][] = [
    ['two different Content-Length headers', `POST /items HTTP/1.1\r\nHost: ${client.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: 5\r\nConnection: close\r\n\r\n${body}`, is(400), 'HTTP 400 JSON error'],
    ['Content-Length: -1', `POST /items HTTP/1.1\r\nHost: ${client.host}\r\nContent-Type: application/json\r\nContent-Length: -1\r\nConnection: close\r\n\r\n${body}`, is(400), 'HTTP 400 JSON error'],
    ['Content-Length: abc', `POST /items HTTP/1.1\r\nHost: ${client.host}\r\nContent-Type: application/json\r\nContent-Length: abc\r\nConnection: close\r\n\r\n${body}`, is(400), 'HTTP 400 JSON error'],
    ['a malformed chunk size', `POST /items HTTP/1.1\r\nHost: ${client.host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`, is(400), 'HTTP 400 JSON error'],
    ['a 16 KiB path', `GET /items/${'a'.repeat(16 * 1024)} HTTP/1.1\r\nHost: ${client.host}\r\nConnection: close\r\n\r\n`, any4xx, 'a 4xx JSON error (404, 414 or 431)'],
  ];
  for (const [what, request, ok, expected] of cases) {
    await run.check(`a request with ${what} → ${expected}, not a silent close`, async () => {
      const outcome = await client.exchange(client.timeoutMs, sendAll(request));
      client.remember('POST', '/items', outcome.responses);
      expectJsonError({ request: printable(Buffer.from(request, 'utf8'), 200), outcome }, ok, expected);
    });
  }
}

async function checkPipelining(client: Client, run: Checks): Promise<void> {
  await run.check('four pipelined requests in one write → four responses, in order (200, 200, 201, 404)', async () => {
    const post = '{"name":"pipelined"}';
    const keep = { Connection: 'keep-alive' };
    const requests = [
      requestHead('GET', '/health', keep, client.host),
      requestHead('GET', '/items?limit=1', keep, client.host),
      requestHead('POST', '/items', { ...keep, 'Content-Type': 'application/json', 'Content-Length': post.length }, client.host) + post,
      requestHead('GET', '/nope', {}, client.host),
    ];
    const outcome = await client.exchange(client.timeoutMs, sendAll(requests.join('')), 4);
    client.remember('POST', '/items', outcome.responses);
    const statuses = outcome.responses.map((r) => r.status);
    if (JSON.stringify(statuses) !== JSON.stringify([200, 200, 201, 404])) {
      const got = outcome.responses.map(describeResponse).join('\n       ');
      throw new CheckFailure(
        `expected four responses 200, 200, 201, 404\n  request: GET /health, GET /items?limit=1, POST /items, GET /nope in one write\n  got: ${statuses.length} response(s) [${statuses.join(', ')}], then ${outcome.end === 'complete' ? 'nothing' : describeOutcome({ ...outcome, responses: [] })}${got ? `\n       ${got}` : ''}`,
      );
    }
  });
}

/** Both stall checks, concurrently; each resolves to its check name and a failure detail or 'ok'. */
async function checkStalls(client: Client, boundMs: number): Promise<[string, string | true][]> {
  const stall = async (what: string, request: string): Promise<[string, string | true]> => {
    const name = `${what}, then silence → 408 or the connection closed within ${Math.round(boundMs / 1000)} s`;
    const outcome = await rawExchange(client.baseUrl, {
      timeoutMs: boundMs,
      send: async (conn) => {
        await conn.write(request);
      },
    });
    const got = outcome.responses[0];
    const detail = `\n  request: ${what}\n  got: ${describeOutcome(outcome)}`;
    if (got === undefined) {
      if (outcome.end === 'closed' || outcome.end === 'reset') return [name, true];
      return [name, `expected a 408 or a close within ${boundMs} ms${detail}`];
    }
    if (got.status === 408 || any4xx(got.status)) return [name, true];
    return [name, `expected a 408 (or another 4xx) or a close, never ${got.status >= 500 ? 'a 5xx' : 'a success'}${detail}`];
  };
  return Promise.all([
    stall('POST /items declaring Content-Length: 100 and sending 10 bytes', `${requestHead('POST', '/items', { 'Content-Type': 'application/json', 'Content-Length': 100 }, client.host)}{"name":"x`),
    stall('an unfinished request head (no blank line)', `POST /items HTTP/1.1\r\nHost: ${client.host}\r\nContent-Type: application/json\r\n`),
  ]);
}
