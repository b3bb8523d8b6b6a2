import { Interrupted } from './errors.js';

/**
 * SIGINT and SIGTERM while the project is being written are remembered, not acted on at
 * once: the writer stops at its next safe point, undoes what it moved and only then
 * reports. Exiting straight from a handler raced in-flight writes (an `rmdir` of a folder
 * a write was still filling) and could not know what was on disk.
 *
 * Once the project is written (`afterWrite`), a signal ends the run at once with a
 * message saying that the project is there and what did not run.
 */
export class SignalGuard {
  received: NodeJS.Signals | null = null;
  private late: ((signal: NodeJS.Signals) => string) | null = null;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.late) {
      process.stderr.write(`\n${this.late(signal)}\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    this.received ??= signal;
    for (const wake of this.sleepers.splice(0)) wake();
  };
  private readonly sleepers: Array<() => void> = [];

  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** Throws at a safe point when a signal came in. */
  check(): void {
    if (this.received) throw new Interrupted(this.received);
  }

  /** From now on the project is on disk: a signal (or one that came in already) ends the run. */
  afterWrite(message: (signal: NodeJS.Signals) => string): void {
    this.late = message;
    if (this.received) this.onSignal(this.received);
  }

  /** Waits `ms`, or until a signal comes in. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.sleepers.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  dispose(): void {
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
  }
}
