/**
 * The reference server as a process of its own, for checks that signal a process
 * (SIGTERM with requests in flight). Options come as JSON in REFERENCE_OPTIONS.
 */
import { startReferenceServer, type ReferenceOptions } from './reference-server.js';

const options = JSON.parse(process.env.REFERENCE_OPTIONS ?? '{}') as ReferenceOptions;
const faults = new Set(options.faults ?? []);
const server = await startReferenceServer(options);
console.log(`listening on ${server.url}`);

if (!faults.has('sigterm-default')) {
  process.once('SIGTERM', () => {
    console.log(`SIGTERM: ${server.inFlight()} requests in flight`);
    if (faults.has('sigterm-drops-in-flight')) process.exit(0);
    // A deadline, so a request that never finishes cannot keep the process alive forever.
    const deadline = setTimeout(() => {
      console.error(`drain deadline passed with ${server.inFlight()} requests in flight`);
      process.exit(1);
    }, 10_000);
    deadline.unref();
    if (faults.has('sigterm-keeps-listening')) {
      // Waits for its own work but keeps accepting new connections meanwhile.
      const poll = setInterval(() => {
        if (server.inFlight() > 0) return;
        clearInterval(poll);
        setTimeout(() => process.exit(0), 1000);
      }, 50);
      return;
    }
    server.drain().then(() => {
      console.log('drained');
      process.exit(0);
    });
  });
}
