/**
 * The web terminal page: asks for a token (or takes `#token=...`, or the one this tab kept),
 * starts the server's login shell in a pty over WebSocket, follows window resizes, and shows the
 * exit code when the shell ends. A reload re-attaches to the same shell (its id is in the address)
 * and shows the screen it had. A dropped connection is the client's business: core resumes every
 * stream by offset, so the terminal loses no output and no keystroke; the status line says
 * "reconnecting" meanwhile.
 */
import { type ContainerProcess, createClient, ErrorCode, isProcwireError, type Terminal } from '@procwire/core';
import type { Transport } from '@procwire/core/transport';
import { websocketTransport } from '@procwire/websocket/client';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal as XTerm } from '@xterm/xterm';
import { watchConnection } from './connection-watch.js';
import {
  forgetToken,
  processIdFromAddress,
  savedToken,
  saveToken,
  showProcessIdInAddress,
  Transcript,
} from './tab-session.js';
import { xtermTerminal } from './xterm-terminal.js';

interface TerminalSettings {
  readonly websocketPath: string;
  readonly shell: readonly string[];
}

const statusLine = document.getElementById('status') as HTMLDivElement;
const loginForm = document.getElementById('login') as HTMLFormElement;
const tokenInput = document.getElementById('token') as HTMLInputElement;
const container = document.getElementById('terminal') as HTMLDivElement;

function showStatus(kind: 'info' | 'error' | 'exited' | 'reconnecting', text: string): void {
  statusLine.dataset['kind'] = kind;
  statusLine.textContent = text;
}

/** The token from `#token=...`, removed from the address bar so it is not bookmarked or shared. */
function tokenFromFragment(): string | undefined {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get('token') ?? undefined;
  if (token !== undefined) {
    fragment.delete('token');
    const rest = fragment.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest === '' ? '' : `#${rest}`));
  }
  return token === '' ? undefined : token;
}

async function tokenAccepted(url: string, token: string): Promise<boolean> {
  showStatus('info', 'connecting…');
  const probe = createClient(websocketTransport({ url, token }), { retryTimeoutMs: 3000 });
  try {
    await probe.list();
    return true;
  } catch (error) {
    if (isProcwireError(error, ErrorCode.Unauthenticated) || isProcwireError(error, ErrorCode.Unavailable)) return false;
    throw error;
  } finally {
    await probe.close();
  }
}

function askForToken(message = 'enter a token to connect'): Promise<string> {
  loginForm.hidden = false;
  tokenInput.value = '';
  tokenInput.focus();
  showStatus(message === 'enter a token to connect' ? 'info' : 'error', message);
  return new Promise((resolve) => {
    loginForm.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        loginForm.hidden = true;
        resolve(tokenInput.value);
      },
      { once: true },
    );
  });
}

/** `terminal`, with everything written to it also recorded in `transcript`. */
function recording(terminal: Terminal, transcript: Transcript): Terminal {
  return {
    get size() {
      return terminal.size;
    },
    setRawMode: (raw) => terminal.setRawMode(raw),
    input: () => terminal.input(),
    write(data) {
      transcript.append(data);
      return terminal.write(data);
    },
    onResize: (listener) => terminal.onResize(listener),
  };
}

interface Session {
  readonly process: ContainerProcess<Uint8Array>;
  readonly transcript: Transcript;
}

/**
 * The shell named in the address, re-attached: the screen this tab kept up to the offset the host
 * resumes from is written first, the host replays the rest. `undefined` when there is none to
 * re-attach (no id, or the host has forgotten it).
 */
async function reattach(
  transport: Transport,
  client: ReturnType<typeof createClient>,
  xterm: XTerm,
): Promise<Session | undefined> {
  const processId = processIdFromAddress();
  if (processId === undefined) return undefined;
  try {
    const info = await transport.get({ processId });
    if (info.pty === undefined) return undefined;
    const process = await client.get(processId, { text: false });
    // The host resumes the reader at its acknowledged offset: what is before it, this tab shows.
    const resumeAt = info.stdout.acknowledged;
    const transcript = Transcript.restore(processId) ?? Transcript.startingAt(processId, resumeAt);
    await new Promise<void>((resolve) => xterm.write(transcript.before(resumeAt), resolve));
    transcript.truncate(resumeAt);
    return { process, transcript };
  } catch (error) {
    if (isProcwireError(error, ErrorCode.NotFound)) return undefined;
    throw error;
  }
}

async function run(): Promise<void> {
  const settings = (await (await fetch('/terminal.json')).json()) as TerminalSettings;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${location.host}${settings.websocketPath}`;
  let token = tokenFromFragment() ?? savedToken() ?? (await askForToken());
  // A refused token asks again instead of leaving a dead page. Browsers cannot see a handshake's
  // HTTP 401, so a short probe that cannot connect is taken as a refusal.
  while (!(await tokenAccepted(url, token))) {
    forgetToken();
    token = await askForToken('could not connect with this token (refused, or the server is unreachable)');
  }
  // Kept for this tab only, so a reload does not ask again (and no other tab or window sees it).
  saveToken(token);
  let running = '';
  const transport = watchConnection(websocketTransport({ url, token }), (state) => {
    document.body.dataset['connection'] = state;
    if (state === 'reconnecting') showStatus('reconnecting', 'connection lost: reconnecting… (typing resumes when it is back)');
    else showStatus('info', running);
  });
  document.body.dataset['connection'] = 'connected';
  const client = createClient(transport);

  const xterm = new XTerm({ cursorBlink: true, scrollback: 5000 });
  const fit = new FitAddon();
  xterm.loadAddon(fit);
  xterm.open(container);
  fit.fit();
  window.addEventListener('resize', () => fit.fit());

  const shellName = settings.shell.join(' ');
  let session = await reattach(transport, client, xterm);
  if (session === undefined) {
    showStatus('info', `starting ${shellName}…`);
    const process = await client.exec(settings.shell, {
      text: false,
      pty: { cols: xterm.cols, rows: xterm.rows, term: 'xterm-256color' },
    });
    session = { process, transcript: Transcript.startingAt(process.id, 0) };
    running = `running ${shellName} (process ${process.id})`;
  } else {
    running = `re-attached to ${shellName} (process ${session.process.id})`;
  }
  const { process, transcript } = session;
  showProcessIdInAddress(process.id);
  showStatus('info', running);
  document.body.dataset['state'] = 'running';
  xterm.focus();
  // Kept for a reload: when the page goes away, and now and then (a crash saves nothing).
  const save = () => transcript.save();
  window.addEventListener('pagehide', save);
  const saving = setInterval(save, 1000);
  const terminal = xtermTerminal(xterm);
  try {
    const code = await process.attach({ terminal: recording(terminal, transcript) });
    showStatus('exited', `the shell exited with code ${code}`);
    document.body.dataset['exitCode'] = String(code);
    document.body.dataset['state'] = 'exited';
    // Over: a reload starts a new shell.
    window.removeEventListener('pagehide', save);
    Transcript.clear();
    showProcessIdInAddress(undefined);
  } finally {
    clearInterval(saving);
    terminal.close();
    await client.close();
  }
}

run().catch((error: unknown) => {
  document.body.dataset['state'] = 'failed';
  const message = error instanceof Error ? error.message : String(error);
  showStatus('error', `error: ${message} (reload to try again)`);
});
