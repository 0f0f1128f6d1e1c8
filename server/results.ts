import { pyDumps } from './pyjson';
import type { ResultsStore } from './store';

/**
 * `GET {mount}/api/results` without HTTP: what the reference server and the msw kit both answer,
 * so the two keep one contract (docs/reference.md, "The results endpoint").
 */
export interface ResultsAnswer {
  status: number;
  headers: Record<string, string>;
  /** Null for 304. */
  body: string | null;
}

export const DEFAULT_LIMIT = 200;
export const MAX_LIMIT = 1000;
/** What a cross-origin page must be allowed to read of an answer. */
export const EXPOSED_HEADERS = 'ETag, X-Flowrra-Cursor, X-Flowrra-More';

// `<epoch>_<position>`: opaque to clients; the epoch ties it to one store.
const CURSOR = /^([\da-f]{8})_(\d{1,15})$/;

export function answerResults(store: ResultsStore, query: URLSearchParams, ifNoneMatch: string | null | undefined): ResultsAnswer {
  const limit = parseLimit(query.get('limit'));
  if (limit === undefined) return json(400, { detail: `limit must be an integer from 1 to ${MAX_LIMIT}` });
  const since = query.get('since');
  let tasks;
  let position = store.seq;
  let more = false;
  if (since === null) {
    tasks = store.newest(limit);
  } else {
    const from = parseCursor(store, since);
    if (from === undefined) {
      return json(410, { detail: 'cursor expired or unknown here: take the full answer (without since) and resume from its cursor' });
    }
    ({ tasks, last: position, more } = store.changedAfter(from, limit));
  }
  const cursor = `${store.epoch}_${position}`;
  // Per URL (limit and since are in it), the answer is a function of the position it reaches, so
  // that names it. An idle since-poll from any answer's cursor, with that answer's ETag, is a 304.
  const etag = `"${cursor}"`;
  const headers: Record<string, string> = { ETag: etag, 'Cache-Control': 'no-cache', 'X-Flowrra-Cursor': cursor };
  if (more) headers['X-Flowrra-More'] = '1';
  if (etagMatches(ifNoneMatch, etag)) return { status: 304, headers, body: null };
  return { status: 200, headers: { ...headers, 'Content-Type': 'application/json' }, body: pyDumps(tasks) };
}

/** The position a cursor names, if this store can tell everything that changed after it. */
function parseCursor(store: ResultsStore, cursor: string): number | undefined {
  const match = CURSOR.exec(cursor);
  if (!match || match[1] !== store.epoch) return undefined;
  const position = Number(match[2]);
  return position >= store.floor && position <= store.seq ? position : undefined;
}

function parseLimit(raw: string | null): number | undefined {
  if (raw === null) return DEFAULT_LIMIT;
  if (!/^\d+$/.test(raw)) return undefined;
  const limit = Number(raw);
  return limit >= 1 && limit <= MAX_LIMIT ? limit : undefined;
}

function etagMatches(header: string | null | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

function json(status: number, body: unknown): ResultsAnswer {
  return { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' }, body: pyDumps(body) };
}
