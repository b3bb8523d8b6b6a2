import { describe, expect, it } from 'vitest';
import { appendMissing, envValues } from '../../src/update/env.js';
import { decide, mergeFile } from '../../src/update/merge.js';

const b = (s: string) => Buffer.from(s);

describe('decide: one rule per case, as the README states them', () => {
  const cases: Array<[string, string | undefined, string | undefined, string | undefined, string]> = [
    ['untouched, and we changed it: replaced', 'v1', 'v1', 'v2', 'write:updated'],
    ['untouched, unchanged: nothing', 'v1', 'v1', 'v1', 'nothing'],
    ['yours changed, ours did not: kept', 'v1', 'mine', 'v1', 'nothing'],
    ['both changed: merged', 'v1', 'mine', 'v2', 'merge'],
    ['both made the same change: nothing', 'v1', 'v2', 'v2', 'nothing'],
    ['you deleted it: stays deleted', 'v1', undefined, 'v2', 'kept-deleted'],
    ['you deleted it and we did not change it: still reported', 'v1', undefined, 'v1', 'kept-deleted'],
    ['no longer generated, untouched: removed', 'v1', 'v1', undefined, 'remove'],
    ['no longer generated, changed by you: kept', 'v1', 'mine', undefined, 'kept-changed'],
    ['no longer generated, already gone: nothing', 'v1', undefined, undefined, 'nothing'],
    ['new file: added', undefined, undefined, 'v2', 'write:added'],
    ['new file where you have the same: nothing', undefined, 'v2', 'v2', 'nothing'],
    ['new file where you have another: merged, never replaced', undefined, 'mine', 'v2', 'merge'],
  ];
  it.each(cases)('%s', (_label, base, yours, next, expected) => {
    const d = decide(base === undefined ? undefined : b(base), yours === undefined ? undefined : b(yours), next === undefined ? undefined : b(next));
    expect(d.kind === 'write' ? `write:${d.action}` : d.kind).toBe(expected);
  });
});

describe('mergeFile (git merge-file)', () => {
  const labels = { yours: 'yours', base: 'base', next: 'next' };
  it('merges edits to different lines cleanly', async () => {
    const r = await mergeFile(b('a\nB\nc\nd\ne\n'), b('a\nb\nc\nd\ne\n'), b('a\nb\nc\nd\nE\n'), labels);
    expect(r.conflicts).toBe(0);
    expect(r.content.toString()).toBe('a\nB\nc\nd\nE\n');
  });
  it('leaves standard markers where both changed the same line', async () => {
    const r = await mergeFile(b('a\nmine\nc\n'), b('a\nb\nc\n'), b('a\nours\nc\n'), labels);
    expect(r.conflicts).toBe(1);
    expect(r.content.toString()).toBe('a\n<<<<<<< yours\nmine\n=======\nours\n>>>>>>> next\nc\n');
  });
  it('a file both sides added conflicts against an empty base instead of replacing yours', async () => {
    const r = await mergeFile(b('mine\n'), undefined, b('ours\n'), labels);
    expect(r.conflicts).toBe(1);
    expect(r.content.toString()).toContain('mine');
    expect(r.content.toString()).toContain('ours');
  });
  it('a binary file is never merged: yours is kept and it counts as a conflict', async () => {
    const r = await mergeFile(b('mi\0ne'), b('ba\0se'), b('ne\0xt'), labels);
    expect(r.conflicts).toBe(1);
    expect(r.unmergeable).toBeTruthy();
    expect(r.content.toString()).toBe('mi\0ne');
  });
});

describe('.env', () => {
  it('appends only the variables it lacks, keeping every existing value and line', () => {
    const current = '# mine\nDB_PASSWORD=keep-me\nPORT=4000\nEXTRA=1\n';
    const next = '# generated\nDB_PASSWORD=fresh\nPORT=3000\nLOG_LEVEL=info\nNEW_SECRET=abc\n';
    expect(appendMissing(current, next, '9.9.9')).toEqual({
      text: `${current}# Added by create-backend-starter 9.9.9 update\nLOG_LEVEL=info\nNEW_SECRET=abc\n`,
      added: ['LOG_LEVEL', 'NEW_SECRET'],
    });
  });
  it('adds nothing when every variable is there, and reads export lines too', () => {
    expect(appendMissing('export PORT=1\nLOG_LEVEL=debug', 'PORT=3000\nLOG_LEVEL=info\n', '1')).toBeNull();
    expect(envValues('export A=1\n# B=2\nC = 3\n')).toEqual(new Map([['A', '1'], ['C', '3']]));
  });
  it('starts a new line when the file does not end with one', () => {
    expect(appendMissing('A=1', 'A=2\nB=3\n', '1')?.text).toBe('A=1\n# Added by create-backend-starter 1 update\nB=3\n');
  });
});
