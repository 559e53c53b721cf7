/**
 * The server's Prometheus metrics, in the text exposition format (version 0.0.4), written by hand:
 * a handful of counters and one gauge do not justify a dependency.
 */

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  /** Label set (serialised) -> value. */
  readonly values: Map<string, number>;
}

/** A metric that only goes up. */
export interface Counter {
  inc(amount?: number, labels?: Labels): void;
  value(labels?: Labels): number;
}

/** A metric that goes up and down. */
export interface Gauge extends Counter {
  dec(amount?: number, labels?: Labels): void;
  set(value: number, labels?: Labels): void;
}

/** Holds metric families and renders them for `/metrics`. */
export class MetricsRegistry {
  readonly #families: Family[] = [];

  /** A new counter; `name` should end in `_total`. */
  counter(name: string, help: string): Counter {
    return this.#metric(name, help, 'counter');
  }

  /** A counter whose value is copied from a count kept elsewhere (`set`). */
  copiedCounter(name: string, help: string): Gauge {
    return this.#metric(name, help, 'counter');
  }

  /** A new gauge. */
  gauge(name: string, help: string): Gauge {
    return this.#metric(name, help, 'gauge');
  }

  /** Every family, as Prometheus text. */
  render(): string {
    const lines: string[] = [];
    for (const family of this.#families) {
      lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
      if (family.values.size === 0) lines.push(`${family.name} 0`);
      for (const [labels, value] of family.values) lines.push(`${family.name}${labels} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }

  #metric(name: string, help: string, type: Family['type']): Gauge {
    const family: Family = { name, help, type, values: new Map() };
    this.#families.push(family);
    const add = (amount: number, labels: Labels | undefined): void => {
      const key = serialiseLabels(labels);
      family.values.set(key, (family.values.get(key) ?? 0) + amount);
    };
    return {
      inc: (amount = 1, labels) => add(amount, labels),
      dec: (amount = 1, labels) => add(-amount, labels),
      set: (value, labels) => family.values.set(serialiseLabels(labels), value),
      value: (labels) => family.values.get(serialiseLabels(labels)) ?? 0,
    };
  }
}

function serialiseLabels(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** The metrics procwire-server exports. */
export interface ServerMetrics {
  readonly registry: MetricsRegistry;
  readonly processesRunning: Gauge;
  readonly processesStarted: Counter;
  readonly processesExited: Counter;
  /** Output bytes delivered to readers, labelled `fd="1"|"2"`. */
  readonly outputBytes: Counter;
  /** Input bytes accepted by the host (each byte once, however often it was retried). */
  readonly inputBytes: Counter;
  readonly authFailures: Counter;
  /** Calls that failed, labelled by procwire error `code`. */
  readonly errors: Counter;
  /** HTTP connections the server closed, labelled `reason="limit"|"auth_deadline"`. */
  readonly connectionsRefused: Gauge;
  /** Event-loop delay since the previous scrape, labelled `quantile="0.99"|"1"` (seconds). */
  readonly eventLoopDelay: Gauge;
  /** Output room lent now past the streams' windows (`--output-pool-bytes` is its most). */
  readonly outputPoolLentBytes: Gauge;
}

/** Creates the server's metric families in a fresh registry. */
export function createServerMetrics(): ServerMetrics {
  const registry = new MetricsRegistry();
  return {
    registry,
    processesRunning: registry.gauge('procwire_processes_running', 'Processes running now.'),
    processesStarted: registry.counter('procwire_processes_started_total', 'Processes started.'),
    processesExited: registry.counter('procwire_processes_exited_total', 'Processes that exited.'),
    outputBytes: registry.counter('procwire_output_bytes_total', 'Output bytes delivered to readers.'),
    inputBytes: registry.counter('procwire_input_bytes_total', 'Input bytes accepted by the host.'),
    authFailures: registry.counter('procwire_auth_failures_total', 'Calls refused for a missing or wrong token.'),
    errors: registry.counter('procwire_errors_total', 'Calls that reached the host and failed, by error code.'),
    connectionsRefused: registry.copiedCounter(
      'procwire_http_connections_closed_total',
      'HTTP connections closed by the server: at once for a connection limit (reason="limit") or at the auth deadline (reason="auth_deadline").',
    ),
    eventLoopDelay: registry.gauge(
      'procwire_event_loop_delay_seconds',
      'Event-loop delay over the time since the previous scrape: p99 (quantile 0.99) and the longest (quantile 1).',
    ),
    outputPoolLentBytes: registry.gauge(
      'procwire_output_pool_lent_bytes',
      'Output room lent now to streams being read, past their windows (at most --output-pool-bytes).',
    ),
  };
}
