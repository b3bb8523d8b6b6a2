/** A failure while writing that the message fully explains: exit code 1, no stack trace. */
export class WriteError extends Error {
  readonly exitCode: number = 1;
}

/** The run was stopped by SIGINT or SIGTERM; the message says what is on disk now. */
export class Interrupted extends WriteError {
  override readonly exitCode: number;
  constructor(
    readonly signal: NodeJS.Signals,
    message = `interrupted by ${signal}`,
  ) {
    super(message);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}
