/**
 * The report shape every black-box check in test/support shares with contract.ts: named
 * checks that pass or fail with a "request / expected / got" detail, collected rather than
 * thrown, so one run shows every failure at once.
 */
import type { ContractReport } from './contract.js';

export type CheckReport = ContractReport;

/** Thrown inside a check to fail it with a readable detail (no stack trace in the report). */
export class CheckFailure extends Error {}

export class Checks {
  readonly report: CheckReport = { passed: [], failed: [] };

  constructor(private readonly log: (line: string) => void = () => undefined) {}

  async check(name: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      this.pass(name);
      return true;
    } catch (error) {
      const detail =
        error instanceof CheckFailure ? error.message : `the check itself crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      this.fail(name, detail);
      return false;
    }
  }

  pass(name: string): void {
    this.report.passed.push(name);
    this.log(`ok    ${name}`);
  }

  fail(name: string, detail: string): void {
    this.report.failed.push({ check: name, detail });
    this.log(`FAIL  ${name}\n${detail.replace(/^/gm, '      ')}`);
  }
}

/** Throws one Error listing every failed check; `what` names the suite in the message. */
export function assertReport(report: CheckReport, what: string): void {
  if (report.failed.length === 0) return;
  const total = report.failed.length + report.passed.length;
  const lines = report.failed.map(({ check, detail }) => `✗ ${check}\n${detail.replace(/^/gm, '    ')}`);
  throw new Error(`${report.failed.length} of ${total} ${what} checks failed:\n\n${lines.join('\n\n')}`);
}

export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max)}… (${text.length} chars)`;
}
