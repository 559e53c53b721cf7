/** A configuration problem: one line naming the bad key, for the person starting the server. */
export class ConfigError extends Error {
  /** The key as the user wrote it: a flag (`--max-argv-bytes`), an env var, or a file key. */
  readonly key: string;

  constructor(key: string, problem: string) {
    super(`invalid configuration: ${key}: ${problem}`);
    this.name = 'ConfigError';
    this.key = key;
  }
}
