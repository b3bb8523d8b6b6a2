// One plain closing line from vitest's JSON report: "Tests: N passed, N failed, N skipped".
// A run that executed no test says so and fails.
import { readFileSync } from 'node:fs';

let report;
try {
  report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
} catch {
  console.log('Tests: no report was written (the test runner did not finish)');
  process.exit(1);
}
const all = report.testResults.flatMap((f) => f.assertionResults);
const count = (s) => all.filter((t) => t.status === s).length;
const passed = count('passed');
const failed = count('failed') + report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
const skipped = count('skipped') + count('pending') + count('todo');
for (const t of all.filter((x) => x.status === 'skipped' || x.status === 'pending')) {
  console.log(`skipped: ${t.fullName} — ${t.meta?.skipReason ?? 'no reason given'}`);
}
// Checks a test ran and declared as known defects (test/e2e/known-defects.ts): not passes.
for (const t of all) {
  for (const d of t.meta?.knownDefects ?? []) console.log(`known defect: ${t.fullName} — ${d}`);
}
if (passed + failed === 0) {
  console.log('Tests: the run executed no test');
  process.exit(1);
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
