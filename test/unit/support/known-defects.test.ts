import { describe, expect, it } from 'vitest';
import { judgeHostile } from '../../e2e/known-defects.js';

describe('judgeHostile', () => {
  const report = {
    passed: ['FOO /items → 405', 'a 16 KiB path → 414'],
    failed: [
      { check: 'Content-Length: abc → 400', detail: 'got HTML' },
      { check: 'an unfinished request head → 408', detail: 'no answer' },
    ],
  };

  it('keeps a failure nobody declared as a failure', () => {
    const verdict = judgeHostile(report, [{ check: /unfinished request head/, reason: 'the server has no head timeout' }]);
    expect(verdict.unexpected.failed.map((f) => f.check)).toEqual(['Content-Length: abc → 400']);
    expect(verdict.known).toEqual([{ check: 'an unfinished request head → 408', reason: 'the server has no head timeout' }]);
    expect(verdict.nowPassing).toEqual([]);
  });

  it('names a declared failure whose check now passes, and one that matches no check at all', () => {
    const verdict = judgeHostile(report, [
      { check: /16 KiB path/, reason: 'was HTML' },
      { check: /no such check/, reason: 'renamed' },
    ]);
    expect(verdict.nowPassing).toEqual([
      { check: 'a 16 KiB path → 414', pattern: '/16 KiB path/' },
      { check: '(no such check ran)', pattern: '/no such check/' },
    ]);
    expect(verdict.unexpected.failed).toHaveLength(2);
  });
});
