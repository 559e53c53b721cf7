/**
 * What a browser tab keeps across a reload, in `sessionStorage` (per tab, gone with the tab): the
 * token, so a reload does not ask for it again, and the tail of the terminal's output with the
 * stream offset it ends at, so a reloaded page shows the screen it had and re-attaches after it.
 * The process id lives in the address (`#process=...`), so a reload finds the same shell.
 */

const tokenKey = 'procwire.token';
const transcriptKey = 'procwire.transcript';
/** The most output bytes kept for a reload: about a full scrollback of a busy terminal. */
const transcriptBytes = 256 * 1024;

export function savedToken(): string | undefined {
  return sessionStorage.getItem(tokenKey) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(tokenKey, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(tokenKey);
}

/** The process id from `#process=...`, if the address has one. */
export function processIdFromAddress(): string | undefined {
  const id = new URLSearchParams(location.hash.slice(1)).get('process');
  return id === null || id === '' ? undefined : id;
}

/** Puts the process id in the address (replacing, not adding, a history entry). */
export function showProcessIdInAddress(processId: string | undefined): void {
  const hash = processId === undefined ? '' : `#process=${encodeURIComponent(processId)}`;
  history.replaceState(null, '', location.pathname + location.search + hash);
}

/** The output a page wrote to its terminal: bytes ending at stream offset `end`. */
export class Transcript {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private dirty = false;

  /** @param end the stream offset just past the last byte written */
  private constructor(
    readonly processId: string,
    private end: number,
  ) {}

  /** An empty transcript for output from `offset` on. */
  static startingAt(processId: string, offset: number): Transcript {
    return new Transcript(processId, offset);
  }

  /** The saved transcript of `processId`, if this tab has one. */
  static restore(processId: string): Transcript | undefined {
    const saved = sessionStorage.getItem(transcriptKey);
    if (saved === null) return undefined;
    try {
      const { processId: id, end, data } = JSON.parse(saved) as { processId: string; end: number; data: string };
      if (id !== processId || !Number.isSafeInteger(end)) return undefined;
      const transcript = new Transcript(processId, end);
      const bytes = Uint8Array.from(atob(data), (character) => character.charCodeAt(0));
      transcript.chunks = [bytes];
      transcript.size = bytes.byteLength;
      return transcript;
    } catch {
      return undefined;
    }
  }

  /** The kept bytes before stream offset `offset` (what the host no longer has to replay). */
  before(offset: number): Uint8Array {
    const all = this.bytes();
    const start = this.end - all.byteLength;
    return all.subarray(0, Math.max(0, Math.min(all.byteLength, offset - start)));
  }

  /** Forgets everything at or after `offset`: the host replays it. */
  truncate(offset: number): void {
    const kept = this.before(offset);
    this.chunks = [kept];
    this.size = kept.byteLength;
    this.end = Math.min(this.end, offset);
    this.dirty = true;
  }

  /** Records bytes written to the terminal. */
  append(data: Uint8Array): void {
    this.chunks.push(data.slice());
    this.size += data.byteLength;
    this.end += data.byteLength;
    this.dirty = true;
    while (this.size - (this.chunks[0]?.byteLength ?? 0) >= transcriptBytes) this.size -= this.chunks.shift()!.byteLength;
  }

  /** Stores it for a reload of this tab (cheap when nothing changed). */
  save(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const bytes = this.bytes().subarray(-transcriptBytes);
    let binary = '';
    for (let index = 0; index < bytes.byteLength; index += 0x8000) {
      binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
    }
    try {
      sessionStorage.setItem(transcriptKey, JSON.stringify({ processId: this.processId, end: this.end, data: btoa(binary) }));
    } catch {
      // Storage full or refused: a reload then shows only what the host still has.
    }
  }

  /** Drops the stored transcript (the shell is over). */
  static clear(): void {
    sessionStorage.removeItem(transcriptKey);
  }

  private bytes(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0]!;
    const all = new Uint8Array(this.size);
    let position = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, position);
      position += chunk.byteLength;
    }
    this.chunks = [all];
    return all;
  }
}
