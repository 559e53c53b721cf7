/**
 * The web terminal page: asks for a token (or takes `#token=...`), starts the server's login shell
 * in a pty over WebSocket, follows window resizes, and shows the exit code when the shell ends.
 * A dropped connection is the client's business: core resumes every stream by offset, so the
 * terminal loses no output and no keystroke.
 */
import { createClient, ErrorCode, isProcwireError } from '@procwire/core';
import { websocketTransport } from '@procwire/websocket/client';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal as XTerm } from '@xterm/xterm';
import { xtermTerminal } from './xterm-terminal.js';

interface TerminalSettings {
  readonly websocketPath: string;
  readonly shell: readonly string[];
}

const statusLine = document.getElementById('status') as HTMLDivElement;
const loginForm = document.getElementById('login') as HTMLFormElement;
const tokenInput = document.getElementById('token') as HTMLInputElement;
const container = document.getElementById('terminal') as HTMLDivElement;

function showStatus(kind: 'info' | 'error' | 'exited', text: string): void {
  statusLine.dataset['kind'] = kind;
  statusLine.textContent = text;
}

/** The token from `#token=...`, removed from the address bar so it is not bookmarked or shared. */
function tokenFromFragment(): string | undefined {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? undefined;
  if (token !== undefined) history.replaceState(null, '', location.pathname + location.search);
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

async function run(): Promise<void> {
  const settings = (await (await fetch('/terminal.json')).json()) as TerminalSettings;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${location.host}${settings.websocketPath}`;
  let token = tokenFromFragment() ?? (await askForToken());
  // A refused token asks again instead of leaving a dead page. Browsers cannot see a handshake's
  // HTTP 401, so a short probe that cannot connect is taken as a refusal.
  while (!(await tokenAccepted(url, token))) {
    token = await askForToken('could not connect with this token (refused, or the server is unreachable)');
  }
  const client = createClient(websocketTransport({ url, token }));

  const xterm = new XTerm({ cursorBlink: true, scrollback: 5000 });
  const fit = new FitAddon();
  xterm.loadAddon(fit);
  xterm.open(container);
  fit.fit();
  window.addEventListener('resize', () => fit.fit());

  showStatus('info', `starting ${settings.shell.join(' ')}…`);
  const process = await client.exec(settings.shell, {
    text: false,
    pty: { cols: xterm.cols, rows: xterm.rows, term: 'xterm-256color' },
  });
  showStatus('info', `running ${settings.shell.join(' ')} (process ${process.id})`);
  document.body.dataset['state'] = 'running';
  xterm.focus();
  const terminal = xtermTerminal(xterm);
  try {
    const code = await process.attach({ terminal });
    showStatus('exited', `the shell exited with code ${code}`);
    document.body.dataset['exitCode'] = String(code);
    document.body.dataset['state'] = 'exited';
  } finally {
    terminal.close();
    await client.close();
  }
}

run().catch((error: unknown) => {
  document.body.dataset['state'] = 'failed';
  const message = error instanceof Error ? error.message : String(error);
  showStatus('error', `error: ${message} (reload to try again)`);
});
