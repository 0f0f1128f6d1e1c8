import { TaskClientError } from './errors';

/** What URL resolution needs of the page: `location`, when there is one. */
export interface PageLocation {
  href: string;
  protocol: string;
}

export interface Endpoints {
  wsUrl: string;
  pollUrl: string | false;
}

const DEFAULT_MOUNT = '/flowrra';

/**
 * Derives the socket and poll URLs from the options. Throws a `config` error for anything the
 * browser would refuse later (mixed content) or that cannot be resolved (a path without a page).
 */
export function resolveEndpoints(
  options: { url?: string; wsUrl?: string; pollUrl?: string | false },
  page: PageLocation | undefined,
): Endpoints {
  const mount = toUrl(options.url ?? DEFAULT_MOUNT, 'url', page);
  if (mount.protocol !== 'http:' && mount.protocol !== 'https:') {
    throw new TaskClientError('config', `url: expected an http: or https: URL, got ${JSON.stringify(options.url)}`);
  }
  mount.hash = '';
  const ws = options.wsUrl === undefined ? below(mount, 'ws') : toUrl(options.wsUrl, 'wsUrl', page);
  ws.protocol = ws.protocol.replace(/^http/, 'ws');
  if (ws.protocol !== 'ws:' && ws.protocol !== 'wss:') {
    throw new TaskClientError('config', `wsUrl: expected a ws:, wss:, http: or https: URL, got ${JSON.stringify(options.wsUrl)}`);
  }
  if (page?.protocol === 'https:' && ws.protocol === 'ws:') {
    throw new TaskClientError(
      'config',
      `wsUrl: ${ws.href} is an insecure ws: socket on an https: page, which the browser blocks; use wss:`,
    );
  }
  let pollUrl: string | false = false;
  if (options.pollUrl !== false) {
    pollUrl = (options.pollUrl === undefined ? below(mount, 'api/results') : toUrl(options.pollUrl, 'pollUrl', page)).href;
  }
  return { wsUrl: ws.href, pollUrl };
}

/** `mount` + `/segment`, with exactly one slash between them, the query kept. */
function below(mount: URL, segment: string): URL {
  const url = new URL(mount.href);
  url.pathname = url.pathname.replace(/\/+$/, '') + '/' + segment;
  return url;
}

function toUrl(value: string, option: string, page: PageLocation | undefined): URL {
  if (typeof value !== 'string' || value === '') {
    throw new TaskClientError('config', `${option}: expected a URL string, got ${JSON.stringify(value)}`);
  }
  const absolute = /^[a-z][a-z\d+.-]*:/i.test(value);
  if (!absolute && !page) {
    throw new TaskClientError(
      'config',
      `${option}: ${JSON.stringify(value)} is relative and there is no page location (Node or server rendering); pass an absolute URL such as "http://127.0.0.1:8000/flowrra"`,
    );
  }
  try {
    return new URL(value, page?.href);
  } catch {
    throw new TaskClientError('config', `${option}: ${JSON.stringify(value)} is not a valid URL`);
  }
}
