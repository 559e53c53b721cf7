/**
 * The exact bytes some fixtures write, shared by both implementations of each fixture and by the
 * cases that check them.
 */

const encoder = new TextEncoder();

/** What `writeSplitUtf8()` writes, as text. */
export const splitUtf8Text = 'a€b😀c';

/** The pieces `writeSplitUtf8()` writes, each cutting a multibyte character in two. */
export const splitUtf8Pieces: readonly Uint8Array[] = [
  Uint8Array.of(0x61, 0xe2), // 'a' and the first byte of '€'
  Uint8Array.of(0x82), // the middle byte of '€'
  Uint8Array.of(0xac, 0x62, 0xf0, 0x9f), // the end of '€', 'b', half of '😀'
  Uint8Array.of(0x98, 0x80, 0x63), // the rest of '😀', 'c'
];

/** What `writeInvalidUtf8()` writes: a stray byte, a broken pair, and a character cut off by EOF. */
export const invalidUtf8Bytes = Uint8Array.of(
  ...encoder.encode('ok '),
  0xff,
  ...encoder.encode(' '),
  0xc3,
  0x28,
  ...encoder.encode(' x'),
  0xe2,
  0x82,
);

/** How `invalidUtf8Bytes` decodes: each invalid or truncated sequence becomes one U+FFFD. */
export const invalidUtf8Text = 'ok \uFFFD \uFFFD( x\uFFFD';

/** The pieces `writeLines(finalNewline)` writes: lines cut across pieces. */
export function linePieces(finalNewline: boolean): readonly string[] {
  return ['al', 'pha\nbe', 'ta\n', finalNewline ? 'gamma\n' : 'gamma'];
}

/** The lines `byLine` must yield for `writeLines(finalNewline)`. */
export function expectedLines(finalNewline: boolean): readonly string[] {
  return ['alpha\n', 'beta\n', finalNewline ? 'gamma\n' : 'gamma'];
}

/** The argv[0] of `unknownCommand()` on every host. */
export const unknownCommandName = 'procwire-conformance-no-such-command';
