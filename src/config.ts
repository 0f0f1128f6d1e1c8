import { RECONNECT_DEFAULTS, type ReconnectConfig } from './backoff';
import { configError, TaskClientError } from './errors';
import type { DebugEntry } from './debug';
import type { TaskClientOptions, TokenSource, WebSocketLike } from './options';
import { pageLocation } from './page';
import type { ShareConnection } from './share/group';
import { resolveEndpoints } from './url';

export interface ClientConfig {
  wsUrl: string | false;
  pollUrl: string | false;
  pollInterval: number;
  pollTimeout: number;
  staleAfter: number;
  reconnect: ReconnectConfig;
  token: TokenSource | undefined;
  WebSocket: WebSocketLike;
  fetch: typeof fetch | undefined;
  lazy: boolean;
  lazyCloseTimeout: number;
  maxTasks: number;
  maxFrameBytes: number;
  headers: Record<string, string>;
  credentials: RequestCredentials;
  debug: boolean | ((entry: DebugEntry) => void) | undefined;
  /** Tab sharing (`share` from flowrra-client/share), or nothing. */
  shareConnection: ShareConnection | undefined;
  /** The name of the group of tabs sharing one connection: the endpoints and the `shareKey` option. */
  shareKey: string;
}

/** Applies defaults and checks every option, so that misconfiguration fails at creation. */
export function resolveConfig(options: TaskClientOptions): ClientConfig {
  checkKeys('options', options);
  const { wsUrl, pollUrl } = resolveEndpoints(options, pageLocation());
  const reconnect = { ...RECONNECT_DEFAULTS };
  checkKeys('reconnect', options.reconnect, Object.keys(reconnect), 'reconnect.');
  checkKeys('headers', options.headers);
  for (const key of Object.keys(RECONNECT_DEFAULTS) as (keyof ReconnectConfig)[]) {
    const value = options.reconnect?.[key];
    // maxRetries is a count, not a wait: Infinity is its default.
    if (value !== undefined) reconnect[key] = checkNumber(`reconnect.${key}`, value, key === 'maxRetries' ? 0 : 1, key === 'maxRetries' ? Infinity : MAX_WAIT);
  }
  if (reconnect.maxDelay < reconnect.minDelay) throw configError('reconnect.maxDelay', `a number >= reconnect.minDelay (${reconnect.minDelay})`, reconnect.maxDelay);
  // The public type checks only the constructor's arguments; `ws`'s socket sends the DOM's events.
  const WebSocketImpl = (options.WebSocket ?? globalThis.WebSocket) as WebSocketLike;
  if (typeof WebSocketImpl !== 'function') throw configError('WebSocket', 'an implementation (in Node: the "ws" package)', WebSocketImpl);
  const fetchImpl = (options.fetch as typeof fetch | undefined) ?? (typeof fetch === 'function' ? fetch.bind(globalThis) : undefined);
  if (pollUrl && typeof fetchImpl !== 'function') throw configError('fetch', 'an implementation, or pollUrl: false', fetchImpl);
  const token = options.token;
  if (token !== undefined && !/^(string|function)$/.test(typeof token)) throw configError('token', 'a string or a function', token);
  const number = (name: NumberOption, fallback: number, min: number, max?: number): number => checkNumber(name, options[name] ?? fallback, min, max);
  const config: ClientConfig = {
    wsUrl,
    pollUrl,
    pollInterval: number('pollInterval', 15000, 1),
    pollTimeout: number('pollTimeout', 10000, 1),
    staleAfter: number('staleAfter', 45000, 0),
    reconnect,
    token,
    WebSocket: WebSocketImpl,
    fetch: fetchImpl,
    lazy: options.lazy ?? false,
    lazyCloseTimeout: number('lazyCloseTimeout', 3000, 0),
    maxTasks: number('maxTasks', 10000, 1, Infinity),
    maxFrameBytes: number('maxFrameBytes', 1048576, 1, Infinity),
    headers: canonicalHeaders(options.headers),
    credentials: options.credentials ?? 'same-origin',
    debug: options.debug,
    shareConnection: checkShare(options.shareConnection),
    shareKey: shareName(options.shareKey, wsUrl, pollUrl),
  };
  // The options are the config's keys and `url` (cheaper in bytes than a list of their own); a
  // misspelt key is reported once the others passed.
  checkKeys('options', options, [...Object.keys(config), 'url']);
  return config;
}

/**
 * Refuses anything but an object and, given the known names, any other key: a misspelt option would
 * otherwise be ignored in silence. The error names the nearest known name.
 */
function checkKeys(name: string, value: unknown, names?: string[], prefix = ''): void {
  if (value === undefined) return;
  if (typeof value != 'object' || !value) throw configError(name, 'an object', value);
  for (const key of Object.keys(value)) {
    if (names && !names.includes(key)) {
      throw new TaskClientError('config', `${prefix}${key}: unknown option; did you mean ${prefix}${names.reduce((best, known) => (likeness(key, known) > likeness(key, best) ? known : best))}?`);
    }
  }
}

// Letters of the typo found in the name (its case ignored: `websocket`), less the name's length: enough
// to tell options apart, and far smaller than an edit distance (bytes count in the script tag).
const likeness = (typo: string, name: string): number => [...typo].filter((letter) => name.toLowerCase().includes(letter)).length * 2 - name.length;

type NumberOption = 'pollInterval' | 'pollTimeout' | 'staleAfter' | 'lazyCloseTimeout' | 'maxTasks' | 'maxFrameBytes';

// setTimeout holds a signed 32-bit delay: anything longer (Infinity included) fires after about 1 ms.
const MAX_WAIT = 2 ** 31 - 1;

function checkNumber(name: string, value: unknown, min: number, max = MAX_WAIT): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw configError(name, max < Infinity ? `a number from ${min} to ${max}` : `a number >= ${min}`, value);
  }
  return value;
}

// Header names are case-insensitive, and fetch joins `authorization` and `Authorization` into one
// comma-separated value. The names the poller sets itself are spelled its way, so that one wins.
const OWN_HEADERS = ['Accept', 'Authorization', 'If-None-Match'];

function canonicalHeaders(headers: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[OWN_HEADERS.find((own) => own.toLowerCase() === name.toLowerCase()) ?? name] = value;
  return out;
}

// Sharing is an import of its own (flowrra-client/share), so that an app that does not share carries none of it.
function checkShare(share: unknown): ShareConnection | undefined {
  if (share && typeof share != 'function') throw configError('shareConnection', 'share from "flowrra-client/share" (script tag: FlowrraClientShare.share)', share);
  return (share as ShareConnection) || undefined;
}

// Tabs share when their endpoints and shareKey match; the token is no part of it. The version
// keeps a later protocol off this one's channel.
function shareName(shareKey: unknown = '', wsUrl: string | false, pollUrl: string | false): string {
  if (typeof shareKey !== 'string') throw configError('shareKey', 'a string', shareKey);
  return `flowrra-client/1 ${JSON.stringify([wsUrl, pollUrl, shareKey])}`;
}
