// RFC 8252 loopback login for CLIs: a one-shot node:http listener on 127.0.0.1 receives the
// authorization response; `oauthClient({ serverUrl, ...loopbackLogin() })` wires it in.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { AuthError } from '../client/errors.js';

/** Default of `loopbackLogin`'s `timeoutMs`: 5 minutes. */
export const DEFAULT_LOGIN_TIMEOUT_MS = 300_000;

export interface LoopbackLoginOptions {
  /** Host of the listener and of the redirect URI. Default '127.0.0.1' (RFC 8252 §7.3 prefers the IP literal). */
  host?: '127.0.0.1' | 'localhost';
  /** A fixed port, for authorization servers that match the registered port. Default 0: an ephemeral port. */
  port?: number;
  /** Path of the redirect URI. Default '/callback'. */
  path?: string;
  /** Opens the browser on the authorization URL. Default: prints the URL to stderr. */
  open?: (url: URL) => void | Promise<void>;
  /**
   * How long one login may wait, counted from the listener's start, before `TSMCP_AUTH_LOGIN_TIMEOUT`
   * (the listener then closes). Default 5 minutes (`DEFAULT_LOGIN_TIMEOUT_MS`).
   */
  timeoutMs?: number;
  /** Aborts the waiting login with `TSMCP_AUTH_LOGIN_ABORTED` and closes the listener. */
  signal?: AbortSignal;
}

/** The two options of `OAuthClientOptions` a loopback login fills, plus `close()`. */
export interface LoopbackLogin {
  /** Starts the listener (once per login) and returns its `http://127.0.0.1:<port><path>`. */
  redirectUri: () => Promise<string>;
  /** Opens the authorization URL and resolves with the callback URL; the listener is closed after. */
  redirect: (authorizationUrl: URL) => Promise<string>;
  /** Closes a listener that is still open (a login abandoned before `redirect`). */
  close: () => Promise<void>;
}

/** The authorization server answered the callback with `error` (RFC 6749 §4.1.2.1). */
export class AuthCallbackError extends AuthError {
  /** The AS's `error` code, e.g. 'access_denied'. */
  readonly error: string;
  readonly errorDescription: string | undefined;
  constructor(error: string, errorDescription: string | undefined) {
    super(
      'TSMCP_AUTH_CALLBACK_ERROR',
      `The authorization server refused the login${errorDescription ? `: ${errorDescription}` : ''}`,
      { document: 'authorization response', field: 'error', expected: 'a code', received: error },
    );
    this.name = 'AuthCallbackError';
    this.error = error;
    this.errorDescription = errorDescription;
  }
}

interface Session {
  server: Server;
  uri: string;
  /** Settles the login: a callback URL, or an error that ends it. */
  settle: (r: { url: string } | { error: AuthError }) => void;
  result: Promise<string>;
  /** The state the callback must carry, known once `redirect` is called. */
  state: string | null | undefined;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * A loopback redirect for the OAuth client (RFC 8252 §7.3): the listener starts when the client first
 * asks for the redirect URI and always closes when the login ends (callback, AS error, timeout, abort).
 * @example
 * const login = loopbackLogin({ open: (url) => openBrowser(url.href) });
 * const auth = oauthClient({ serverUrl, store: new FileTokenStore(path), ...login });
 */
export function loopbackLogin(options: LoopbackLoginOptions = {}): LoopbackLogin {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/callback';
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
  const open = options.open ?? ((url: URL) => void process.stderr.write(`Open this URL to log in:\n${url.href}\n`));
  let current: Promise<Session> | undefined;

  const aborted = () =>
    new AuthError('TSMCP_AUTH_LOGIN_ABORTED', 'The login was aborted', { document: 'loopback login' });

  const start = (): Promise<Session> => {
    if (options.signal?.aborted) return Promise.reject(aborted());
    let settle!: Session['settle'];
    const result = new Promise<string>((resolve, reject) => {
      settle = (r) => ('url' in r ? resolve(r.url) : reject(r.error));
    });
    result.catch(() => {}); // observed by redirect(); a login abandoned before it must not crash the process
    const server = createServer((req, res) => answer(session, req.method, req.url ?? '/', res));
    const timer = setTimeout(
      () =>
        settle({
          error: new AuthError('TSMCP_AUTH_LOGIN_TIMEOUT', 'No authorization response arrived in time', {
            document: 'loopback login',
            expected: `a callback within ${timeoutMs} ms (timeoutMs)`,
          }),
        }),
      timeoutMs,
    );
    // Until redirect() waits on it, the listener must not keep the process alive (a flow that failed
    // between registration and redirect would otherwise hang a CLI until the timeout).
    timer.unref();
    const session: Session = { server, uri: '', settle, result, state: undefined, timer };
    const onAbort = () => settle({ error: aborted() });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const closed = result
      .catch(() => {})
      .then(() => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (current === listening) current = undefined;
        return new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections(); // a browser's keep-alive socket must not hold the port
        });
      });
    session.result = result.finally(() => closed);
    session.result.catch(() => {});
    const listening = new Promise<Session>((resolve, reject) => {
      server.once('error', (e) => {
        const error = new AuthError('TSMCP_AUTH_LOGIN_LISTEN', `Cannot listen on ${host}:${options.port ?? 0}`, {}, e);
        settle({ error });
        reject(error);
      });
      server.listen(options.port ?? 0, host, () => {
        const port = (server.address() as { port: number }).port;
        session.uri = `http://${host}:${port}${path}`;
        server.unref();
        resolve(session);
      });
    });
    return listening;
  };

  const answer = (s: Session, method: string | undefined, target: string, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(target, s.uri);
    } catch {
      return page(res, 400, 'Bad request.');
    }
    if (method !== 'GET' || url.pathname !== path) return page(res, 404, 'Not found.');
    // Until redirect() names the state, and for any other state, the request is not this login's answer.
    if (s.state === undefined || url.searchParams.get('state') !== s.state)
      return page(res, 400, 'This response does not belong to the login in progress.');
    const error = url.searchParams.get('error');
    if (error !== null) {
      const description = url.searchParams.get('error_description') ?? undefined;
      page(res, 200, `Login failed: ${error}${description ? ` (${description})` : ''}. You can close this tab.`);
      return s.settle({ error: new AuthCallbackError(error, description) });
    }
    page(res, 200, 'Login complete. You can close this tab.');
    s.settle({ url: url.href });
  };

  return {
    redirectUri: async () => {
      current ??= start();
      current.catch(() => {
        current = undefined;
      });
      return (await current).uri;
    },
    redirect: async (authorizationUrl) => {
      current ??= start();
      const s = await current;
      const sent = authorizationUrl.searchParams.get('redirect_uri');
      if (sent !== s.uri) {
        s.settle({
          error: new AuthError('TSMCP_AUTH_LOGIN_REDIRECT_URI', 'The authorization URL names another redirect URI', {
            document: 'authorization request',
            field: 'redirect_uri',
            expected: s.uri,
            received: sent ?? undefined,
          }),
        });
        return s.result;
      }
      s.state = authorizationUrl.searchParams.get('state');
      s.server.ref();
      s.timer.ref();
      try {
        await open(authorizationUrl);
      } catch (e) {
        s.settle({ error: new AuthError('TSMCP_AUTH_LOGIN_OPEN', 'Could not open the browser', {}, e) });
      }
      return s.result;
    },
    close: async () => {
      const s = await current?.catch(() => undefined);
      if (!s) return;
      s.settle({ error: aborted() });
      await s.result.catch(() => {});
    },
  };
}

function page(res: ServerResponse, status: number, text: string): void {
  const body = `<!doctype html><meta charset="utf-8"><title>Login</title><p>${escapeHtml(text)}</p>\n`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'",
    connection: 'close',
  });
  res.end(body);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
