import type { TestContext } from 'vitest';

/**
 * Skip the running test, saying why at run time: the reason is printed and attached to
 * the test as its note. Under CI=true a skip is a failure unless `allowedInCi` (.ci/run
 * installs everything the suite needs, so a skip there means something is missing).
 */
export function skipBecause(ctx: TestContext, reason: string, allowedInCi = false): never {
  if (process.env.CI === 'true' && !allowedInCi) throw new Error(`cannot run in CI: ${reason}`);
  console.warn(`SKIPPED ${ctx.task.name}: ${reason}`);
  // The JSON report keeps `meta`, so .ci/summary.mjs can print the reason too.
  (ctx.task.meta as { skipReason?: string }).skipReason = reason;
  return ctx.skip(reason);
}
