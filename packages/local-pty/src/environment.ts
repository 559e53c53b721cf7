/**
 * The environment a process starts with: a small, documented base (not the host's whole
 * environment, which may hold the server's own secrets) with the request's entries merged over it.
 */

/** The host variables copied into the default base environment, when the host has them. */
export const BASE_ENV_KEYS = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'TZ'] as const;

/** Used when the host has no `PATH`. */
export const FALLBACK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The default base: {@link BASE_ENV_KEYS} from `hostEnv`, with a `PATH` always present. */
export function defaultBaseEnv(hostEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const base: Record<string, string> = {};
  for (const key of BASE_ENV_KEYS) {
    const value = hostEnv[key];
    if (value !== undefined) base[key] = value;
  }
  base['PATH'] ??= FALLBACK_PATH;
  return base;
}

/** `base` with `overrides` merged over it; an override set to `undefined` removes the key. */
export function mergeEnv(
  base: Readonly<Record<string, string | undefined>>,
  overrides: Readonly<Record<string, string | undefined>> | undefined,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) merged[key] = value;
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
