import { describe, expect, it } from 'vitest';
import { decodeBson, encodeBson, mongoUrlWithDatabase, ObjectIdHex, parseMongoUrl, scramClientFinal, scramClientFirst } from '../../support/mongo-wire.js';

describe('BSON', () => {
  // The two examples on bsonspec.org/faq.html.
  it('encodes the bsonspec.org examples byte for byte', () => {
    expect(encodeBson({ hello: 'world' })).toEqual(Buffer.from('\x16\x00\x00\x00\x02hello\x00\x06\x00\x00\x00world\x00\x00', 'latin1'));
    expect(encodeBson({ BSON: ['awesome', 5.05, 1986] })).toEqual(
      Buffer.from(
        '\x31\x00\x00\x00\x04BSON\x00\x26\x00\x00\x00\x020\x00\x08\x00\x00\x00awesome\x00\x011\x00\x33\x33\x33\x33\x33\x33\x14\x40\x102\x00\xc2\x07\x00\x00\x00\x00',
        'latin1',
      ),
    );
  });

  it('round-trips the types servers send back', () => {
    const doc = {
      ok: 1.5,
      n: 7,
      big: 2n ** 40n,
      s: 'ünïcode',
      yes: true,
      nothing: null,
      when: new Date('2026-11-24T10:11:12.345Z'),
      bytes: new Uint8Array([1, 2, 3]),
      list: [1, 'two', { three: 3 }],
      nested: { id: new ObjectIdHex('0123456789abcdef01234567') },
    };
    const decoded = decodeBson(encodeBson(doc));
    expect(decoded).toEqual({ ...doc, big: 2 ** 40 });
  });

  it('refuses types it does not know instead of misreading them', () => {
    const doc = Buffer.from('\x0c\x00\x00\x00\x20x\x00\x00\x00\x00\x00\x00', 'latin1');
    expect(() => decodeBson(doc)).toThrow(/not supported/);
  });
});

describe('SCRAM-SHA-256', () => {
  it('matches the RFC 7677 test vector', () => {
    const first = scramClientFirst('SCRAM-SHA-256', 'user', 'rOprNGfwEbeRWgbNEkqO');
    expect(first.message).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = scramClientFinal(first, 'user', 'pencil', 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    expect(final.message).toBe('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    expect(final.expectedServerSignature).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  it('rejects a server nonce that does not extend ours', () => {
    const first = scramClientFirst('SCRAM-SHA-256', 'user', 'abc');
    expect(() => scramClientFinal(first, 'user', 'pw', 'r=xyz,s=AAAA,i=4096')).toThrow(/nonce/);
  });
});

describe('connection strings', () => {
  it('parses hosts, credentials and defaults', () => {
    const t = parseMongoUrl('mongodb://u%40x:p%3Aw@h1:27018,h2,[::1]:27020/app?replicaSet=rs0');
    expect(t.hosts).toEqual([
      { host: 'h1', port: 27018 },
      { host: 'h2', port: 27017 },
      { host: '::1', port: 27020 },
    ]);
    expect([t.username, t.password, t.authSource, t.tls, t.srv]).toEqual(['u@x', 'p:w', 'app', false, false]);
  });

  it('turns TLS on for SRV URLs and honours explicit options', () => {
    expect(parseMongoUrl('mongodb+srv://cluster.example.net/').tls).toBe(true);
    expect(parseMongoUrl('mongodb+srv://cluster.example.net/?tls=false').tls).toBe(false);
    expect(parseMongoUrl('mongodb://h/?ssl=true&tlsAllowInvalidCertificates=true')).toMatchObject({ tls: true, tlsInsecure: true, authSource: 'admin' });
  });

  it('changes the database but keeps the credentials working', () => {
    const t = parseMongoUrl('mongodb://u:p@h1,h2/app?replicaSet=rs0');
    expect(mongoUrlWithDatabase(t, 'cbs_x_1')).toBe('mongodb://u:p@h1,h2/cbs_x_1?replicaSet=rs0&authSource=app');
    expect(mongoUrlWithDatabase(parseMongoUrl('mongodb://h'), 'cbs_x_1')).toBe('mongodb://h/cbs_x_1');
  });

  it('rejects what is not a MongoDB URL', () => {
    expect(() => parseMongoUrl('postgres://h/db')).toThrow(/mongodb:\/\//);
  });
});
