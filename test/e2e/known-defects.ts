/**
 * Hostile-input checks (test/support/hostile.ts) a stack is known to fail, each with its
 * reason; none at present (Ruby's last two, Puma's plain-text 413s, are fixed by the
 * project's lib/<name>/puma_errors.rb). The e2e runs the hostile suite on every
 * combination. A failure listed here is reported as a known defect (in the test output and
 * in the CI summary), never as a pass; a failure not listed fails the run, and so does a
 * listed one that now passes, so this list cannot go stale in either direction.
 *
 * Keys: `lang/framework` (every database) or `lang/framework/db`.
 */
import type { CheckReport } from '../support/report.js';

export interface KnownFailure {
  /** Matches the check's name as hostile.ts prints it. */
  check: RegExp;
  reason: string;
}

export const KNOWN_HOSTILE_FAILURES: Record<string, KnownFailure[]> = {};

export function knownHostileFailures(lang: string, framework: string, db: string): KnownFailure[] {
  return [...(KNOWN_HOSTILE_FAILURES[`${lang}/${framework}`] ?? []), ...(KNOWN_HOSTILE_FAILURES[`${lang}/${framework}/${db}`] ?? [])];
}

export interface HostileVerdict {
  /** Failures nobody declared: these fail the run. */
  unexpected: CheckReport;
  /** Declared failures that still fail, with their reasons. */
  known: { check: string; reason: string }[];
  /** Declared failures whose checks now pass: take them off the list. */
  nowPassing: { check: string; pattern: string }[];
}

export function judgeHostile(report: CheckReport, known: KnownFailure[]): HostileVerdict {
  const declared = (check: string) => known.find((k) => k.check.test(check));
  const verdict: HostileVerdict = { unexpected: { passed: report.passed, failed: [] }, known: [], nowPassing: [] };
  for (const failure of report.failed) {
    const k = declared(failure.check);
    if (k) verdict.known.push({ check: failure.check, reason: k.reason });
    else verdict.unexpected.failed.push(failure);
  }
  for (const k of known) {
    if (!report.failed.some((f) => k.check.test(f.check))) {
      const passing = report.passed.filter((p) => k.check.test(p));
      verdict.nowPassing.push({ check: passing.join('; ') || '(no such check ran)', pattern: String(k.check) });
    }
  }
  return verdict;
}
