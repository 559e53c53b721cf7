/** The `--help` text, built from the option table so it always matches what is parsed. */
import { configFileOption, type OptionKind, optionSpecs } from './options.js';

const placeholders: Readonly<Record<OptionKind, string>> = {
  address: '<host:port>',
  count: '<n>',
  bytes: '<bytes>',
  milliseconds: '<ms>',
  path: '<path>',
  text: '<text>',
  switch: '<true|false>',
};

/** Usage, every flag with its env var and default, and the precedence rule. */
export function helpText(): string {
  const rows = optionSpecs.map((spec) => {
    const fallback = spec.defaultValue === undefined ? '' : ` (default ${spec.defaultValue})`;
    return `  ${spec.flag} ${placeholders[spec.kind]}\n      ${spec.help}${fallback}\n      env ${spec.env}, file key "${spec.fileKey}"`;
  });
  return [
    'procwire-server: serves this host\'s processes over gRPC and WebSocket, with a web terminal.',
    '',
    'Usage: procwire-server [--flag value | --flag=value]...',
    '',
    `  ${configFileOption.flag} <file>`,
    `      JSON file of the keys below (env ${configFileOption.env})`,
    ...rows,
    '  --help',
    '      show this text',
    '',
    'Precedence: flags > environment > config file > defaults.',
    'Invalid configuration prints one line naming the key and exits with code 2.',
    'SIGTERM or SIGINT shuts down gracefully and exits 0.',
  ].join('\n');
}
