import { configError } from './errors';

/** What URL resolution needs of the page: `location`, when there is one. */
export interface PageLocation {
  href: string;
  protocol: string;
}

export interface Endpoints {
  wsUrl: string | false;
  pollUrl: string | false;
}

const DEFAULT_MOUNT = '/flowrra';

/**
 * Derives the socket and poll URLs from the options. Throws a `config` error for anything the
 * browser would refuse later (mixed content, a socket URL with a fragment) or that cannot be
 * resolved (a path without a page).
 */
export function resolveEndpoints(
  options: { url?: UrlOption; wsUrl?: UrlOption | false; pollUrl?: UrlOption | false },
  page: PageLocation | undefined,
): Endpoints {
  // `url: null` is the user's value, and the error must show it, not the default.
  const mount = toUrl(options.url === undefined ? DEFAULT_MOUNT : options.url, 'url', page);
  if (!/^https?:$/.test(mount.protocol)) throw configError('url', 'an http: or https: URL', options.url);
  mount.hash = '';
  const pollUrl = options.pollUrl !== false && (options.pollUrl === undefined ? below(mount, 'api/results') : toUrl(options.pollUrl, 'pollUrl', page)).href;
  if (options.wsUrl === false) {
    if (!pollUrl) throw configError('wsUrl', 'a URL when pollUrl is false', false);
    return { wsUrl: false, pollUrl };
  }
  const ws = options.wsUrl === undefined ? below(mount, 'ws') : toUrl(options.wsUrl, 'wsUrl', page);
  ws.protocol = ws.protocol.replace(/^http/, 'ws');
  if (!/^wss?:$/.test(ws.protocol)) throw configError('wsUrl', 'a ws:, wss:, http: or https: URL', options.wsUrl);
  // The WebSocket constructor throws on any fragment, an empty one too: fail here, not on every attempt.
  if (ws.href.includes('#')) throw configError('wsUrl', 'a URL without a #fragment', ws.href);
  // Loopback is a potentially trustworthy origin: browsers allow ws: to it from an https: page.
  if (page?.protocol === 'https:' && ws.protocol === 'ws:' && !/^(localhost|127(\.\d+){3}|\[::1\])$|\.localhost$/.test(ws.hostname)) {
    throw configError('wsUrl', 'wss: on an https: page (browsers block ws: there)', ws.href);
  }
  return { wsUrl: ws.href, pollUrl };
}

/** `url` with the query parameter `name` set to `value`, when there is one. */
export function withParam(url: string, name: string, value: string | null | undefined): string {
  const out = new URL(url);
  if (value) out.searchParams.set(name, value);
  return out.href;
}

/** `mount` + `/segment`, with exactly one slash between them, the query kept. */
function below(mount: URL, segment: string): URL {
  const url = new URL(mount.href);
  url.pathname = url.pathname.replace(/\/+$/, '') + '/' + segment;
  return url;
}

type UrlOption = string | { readonly href: string };

function toUrl(option: UrlOption, name: string, page: PageLocation | undefined): URL {
  // A URL object (or anything with an href) stands for its href; null and other values are shown as given.
  const value = (option as { href?: string } | null)?.href ?? option;
  if (typeof value !== 'string' || value === '') throw configError(name, 'a URL string', value);
  try {
    return new URL(value, page?.href);
  } catch {
    // Node and server rendering have no page to resolve a path against.
    throw configError(name, page ? 'a valid URL' : 'a valid absolute URL such as "http://127.0.0.1:8000/flowrra" (there is no page to resolve a path against)', value);
  }
}
