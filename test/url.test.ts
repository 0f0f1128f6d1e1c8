import { describe, expect, it } from 'vitest';
import { resolveEndpoints } from '../src/url';

const httpPage = { href: 'http://app.example.com/dash/index.html', protocol: 'http:' };
const httpsPage = { href: 'https://app.example.com:8443/dash/', protocol: 'https:' };

describe('socket and poll URLs', () => {
  it.each([
    ['default mount on an http page', {}, httpPage, 'ws://app.example.com/flowrra/ws', 'http://app.example.com/flowrra/api/results'],
    ['default mount on an https page keeps the port', {}, httpsPage, 'wss://app.example.com:8443/flowrra/ws', 'https://app.example.com:8443/flowrra/api/results'],
    ['a path mount', { url: '/tasks/flowrra' }, httpPage, 'ws://app.example.com/tasks/flowrra/ws', 'http://app.example.com/tasks/flowrra/api/results'],
    ['trailing slashes collapse to one', { url: '/flowrra///' }, httpPage, 'ws://app.example.com/flowrra/ws', 'http://app.example.com/flowrra/api/results'],
    ['a relative mount resolves against the page', { url: 'flowrra' }, httpPage, 'ws://app.example.com/dash/flowrra/ws', 'http://app.example.com/dash/flowrra/api/results'],
    ['an absolute http mount with a port', { url: 'http://10.0.0.5:8000/flowrra' }, undefined, 'ws://10.0.0.5:8000/flowrra/ws', 'http://10.0.0.5:8000/flowrra/api/results'],
    ['an absolute https mount', { url: 'https://host:8443/flowrra/' }, undefined, 'wss://host:8443/flowrra/ws', 'https://host:8443/flowrra/api/results'],
    ['IPv6 host and port', { url: 'http://[::1]:8000/flowrra' }, undefined, 'ws://[::1]:8000/flowrra/ws', 'http://[::1]:8000/flowrra/api/results'],
    ['a query string is kept, a hash dropped', { url: 'https://h/flowrra?tenant=7#top' }, undefined, 'wss://h/flowrra/ws?tenant=7', 'https://h/flowrra/api/results?tenant=7'],
    ['wsUrl given as ws: is used as is', { url: 'http://h/flowrra', wsUrl: 'ws://other:9000/socket' }, undefined, 'ws://other:9000/socket', 'http://h/flowrra/api/results'],
    ['wsUrl given as https: is converted', { url: 'https://h/flowrra', wsUrl: 'https://push.h/live' }, undefined, 'wss://push.h/live', 'https://h/flowrra/api/results'],
    ['wsUrl given as a path resolves against the page', { wsUrl: '/live/ws' }, httpsPage, 'wss://app.example.com:8443/live/ws', 'https://app.example.com:8443/flowrra/api/results'],
    ['pollUrl override as a path', { pollUrl: '/api/flowrra-results?limit=500' }, httpPage, 'ws://app.example.com/flowrra/ws', 'http://app.example.com/api/flowrra-results?limit=500'],
    ['pollUrl false turns polling off', { pollUrl: false as const }, httpPage, 'ws://app.example.com/flowrra/ws', false],
    ['an absolute mount wins over the page', { url: 'http://api.example.com/flowrra' }, httpPage, 'ws://api.example.com/flowrra/ws', 'http://api.example.com/flowrra/api/results'],
    ['wss on an http page is allowed', { wsUrl: 'wss://secure.example.com/ws' }, httpPage, 'wss://secure.example.com/ws', 'http://app.example.com/flowrra/api/results'],
    ['wsUrl false: no socket, polling only', { wsUrl: false as const }, httpsPage, false, 'https://app.example.com:8443/flowrra/api/results'],
    // Loopback is a potentially trustworthy origin: browsers allow ws: to it from an https: page.
    ['ws://localhost on an https page', { wsUrl: 'ws://localhost:8000/flowrra/ws' }, httpsPage, 'ws://localhost:8000/flowrra/ws', 'https://app.example.com:8443/flowrra/api/results'],
    ['ws://127.0.0.1 on an https page', { wsUrl: 'ws://127.0.0.1:8000/ws' }, httpsPage, 'ws://127.0.0.1:8000/ws', 'https://app.example.com:8443/flowrra/api/results'],
    ['ws://[::1] on an https page', { wsUrl: 'ws://[::1]:8000/ws' }, httpsPage, 'ws://[::1]:8000/ws', 'https://app.example.com:8443/flowrra/api/results'],
    ['ws://app.localhost on an https page', { wsUrl: 'ws://app.localhost/ws' }, httpsPage, 'ws://app.localhost/ws', 'https://app.example.com:8443/flowrra/api/results'],
  ])('%s', (_name, options, page, wsUrl, pollUrl) => {
    expect(resolveEndpoints(options, page)).toEqual({ wsUrl, pollUrl });
  });

  it.each([
    ['ws: given on an https page', { wsUrl: 'ws://app.example.com/flowrra/ws' }, httpsPage, /wsUrl: expected wss: on an https: page.*got "ws:\/\/app.example.com\/flowrra\/ws"/],
    ['ws: derived from an absolute http: url on an https page', { url: 'http://api.example.com/flowrra' }, httpsPage, /expected wss: on an https: page/],
    ['a relative url in Node', { url: '/flowrra' }, undefined, /url: expected a valid absolute URL such as .* \(there is no page to resolve a path against\), got "\/flowrra"/],
    ['the default url in Node', {}, undefined, /absolute URL/],
    ['a relative wsUrl in Node', { url: 'http://h/flowrra', wsUrl: '/ws' }, undefined, /wsUrl: expected a valid absolute URL.*got "\/ws"/],
    ['a non-http url', { url: 'ftp://h/flowrra' }, undefined, /url: expected an http: or https: URL/],
    ['a wsUrl of another scheme', { url: 'http://h/f', wsUrl: 'mailto:x@y' }, undefined, /wsUrl: expected a ws:/],
    ['an empty url', { url: '' }, httpPage, /url: expected a URL string, got ""/],
    ['an unparsable url', { url: 'http://[bad' }, httpPage, /url: expected a valid URL, got "http:\/\/\[bad"/],
    ['an unparsable url in Node', { url: 'http://[bad' }, undefined, /url: expected a valid absolute URL such as .*, got "http:\/\/\[bad"/],
    ['no socket and no polling', { url: 'http://h/f', wsUrl: false as const, pollUrl: false as const }, undefined, /wsUrl: expected a URL when pollUrl is false/],
    // The WebSocket constructor throws on a fragment; it would only fail later, on every attempt.
    ['a wsUrl with a fragment', { url: 'http://h/flowrra', wsUrl: 'ws://h/flowrra/ws#x' }, undefined, /wsUrl: expected a URL without a #fragment, got "ws:\/\/h\/flowrra\/ws#x"/],
    ['a wsUrl with an empty fragment', { url: 'http://h/flowrra', wsUrl: 'ws://h/flowrra/ws#' }, undefined, /without a #fragment/],
    ['ws: to a host merely named like loopback on an https page', { wsUrl: 'ws://127.0.0.1.example.com/ws' }, httpsPage, /expected wss: on an https: page/],
  ])('rejects %s with a config error', (_name, options, page, message) => {
    expect(() => resolveEndpoints(options, page)).toThrowError(expect.objectContaining({ kind: 'config', message: expect.stringMatching(message) }));
  });
});
