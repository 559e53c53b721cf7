/** A pino destination that keeps every line, to assert on what the server logged. */
import type { DestinationStream } from 'pino';

/** Collects log lines in memory. */
export class LogCapture implements DestinationStream {
  readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line);
  }

  /** Everything logged so far, as one string. */
  get text(): string {
    return this.lines.join('');
  }

  /** The parsed records. */
  records(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
