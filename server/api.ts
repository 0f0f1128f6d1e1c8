import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { tokenAccepted } from './guards';
import { HttpError, readJson, sendError, sendJson } from './respond';
import { answerResults, EXPOSED_HEADERS } from './results';
import type { ServerStats } from './stats';
import type { ResultsStore } from './store';
import type { TaskSpec } from './types';

export const API_PREFIX = '/flowrra/api/';
const MAX_BODY_BYTES = 64 * 1024;

export interface ApiContext {
  store: ResultsStore;
  submit(spec: TaskSpec): string;
  drop(): number;
  refuse(on: boolean): void;
  /** `GET /api/metrics`: the figures of flowrra_live's `stats()`. */
  stats(): ServerStats;
  /** Each results answer, by status, with the seconds it took. */
  polled(status: number, seconds: number): void;
  token?: string;
  cors?: string;
}

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** Flowrra's HTTP API (`/flowrra/api/*`), plus the demo page's control endpoints. */
export class Api {
  polls = 0;
  failStatus: number | null = null;
  private readonly routes: Record<string, Partial<Record<string, Route>>>;

  constructor(private readonly ctx: ApiContext) {
    this.routes = {
      results: { GET: (req, res, url) => this.results(req, res, url) },
      tasks: { POST: (req, res) => this.createTask(req, res) },
      metrics: { GET: (_req, res) => sendJson(res, 200, this.ctx.stats()) },
      'demo/drop': { POST: (_req, res) => sendJson(res, 200, { dropped: this.ctx.drop() }) },
      'demo/refuse': { POST: (req, res) => this.refuse(req, res) },
    };
  }

  /** True when the request was under the API prefix (and has been answered). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (!url.pathname.startsWith(API_PREFIX)) return false;
    const methods = this.routes[url.pathname.slice(API_PREFIX.length)];
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname === `${API_PREFIX}results`) {
      this.polls++;
      const started = performance.now();
      res.once('finish', () => this.ctx.polled(res.statusCode, (performance.now() - started) / 1000));
    }
    const cors = this.corsHeaders();
    if (!methods) {
      sendError(res, 404, 'Not Found', cors);
    } else if (method === 'OPTIONS' && this.ctx.cors !== undefined) {
      res.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': Object.keys(methods).concat('OPTIONS').join(', '),
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, If-None-Match',
        'Access-Control-Max-Age': '600',
      });
      res.end();
    } else if (!methods[method]) {
      sendError(res, 405, 'Method Not Allowed', { ...cors, Allow: Object.keys(methods).join(', ') });
    } else if (!tokenAccepted(this.ctx.token, req)) {
      sendError(res, 401, 'Not authenticated', { ...cors, 'WWW-Authenticate': 'Bearer' });
    } else {
      for (const [name, value] of Object.entries(cors)) res.setHeader(name, value as string);
      Promise.resolve(methods[method]!(req, res, url)).catch((error: unknown) => {
        if (res.headersSent) return void res.destroy();
        const status = error instanceof HttpError ? error.status : 500;
        sendError(res, status, error instanceof HttpError ? error.message : 'Internal Server Error');
      });
    }
    return true;
  }

  private corsHeaders(): OutgoingHttpHeaders {
    if (this.ctx.cors === undefined) return {};
    return {
      'Access-Control-Allow-Origin': this.ctx.cors,
      'Access-Control-Expose-Headers': EXPOSED_HEADERS,
      Vary: 'Origin',
    };
  }

  private results(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (this.failStatus !== null) return sendError(res, this.failStatus, 'Simulated failure');
    const answer = answerResults(this.ctx.store, url.searchParams, req.headers['if-none-match']);
    if (answer.body !== null) answer.headers['Content-Length'] = String(Buffer.byteLength(answer.body));
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body ?? undefined);
  }

  private async createTask(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const spec = parseTaskSpec(await readJson(req, MAX_BODY_BYTES));
    sendJson(res, 201, { task_id: this.ctx.submit(spec) });
  }

  private async refuse(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req, MAX_BODY_BYTES);
    const on = (body as { on?: unknown } | null)?.on;
    if (typeof on !== 'boolean') throw new HttpError(400, 'on must be true or false');
    this.ctx.refuse(on);
    sendJson(res, 200, { refusing: on });
  }
}

const MAX_DURATION_MS = 10 * 60 * 1000;

/** The POST /api/tasks body, checked field by field: it comes from the network. */
export function parseTaskSpec(body: unknown): TaskSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'Body must be a JSON object');
  const input = body as Record<string, unknown>;
  const spec: TaskSpec = {};
  const check = (field: string, ok: (v: unknown) => boolean, expected: string) => {
    const value = input[field];
    if (value === undefined || value === null) return false;
    if (!ok(value)) throw new HttpError(400, `${field} must be ${expected}`);
    return true;
  };
  const isDuration = (v: unknown) => typeof v === 'number' && v >= 0 && v <= MAX_DURATION_MS;
  if (check('name', (v) => typeof v === 'string' && v.length <= 200, 'a string of at most 200 characters')) spec.name = input.name as string;
  if (check('duration_ms', isDuration, `a number from 0 to ${MAX_DURATION_MS}`)) spec.duration_ms = input.duration_ms as number;
  if (check('retry_delay_ms', isDuration, `a number from 0 to ${MAX_DURATION_MS}`)) spec.retry_delay_ms = input.retry_delay_ms as number;
  if (check('fail', (v) => typeof v === 'boolean', 'true or false')) spec.fail = input.fail as boolean;
  if (check('max_retries', (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 20, 'an integer from 0 to 20'))
    spec.max_retries = input.max_retries as number;
  if (check('args', Array.isArray, 'an array')) spec.args = input.args as unknown[];
  if (check('kwargs', (v) => typeof v === 'object' && !Array.isArray(v), 'an object')) spec.kwargs = input.kwargs as Record<string, unknown>;
  if (check('error', (v) => typeof v === 'string', 'a string')) spec.error = input.error as string;
  if ('result' in input) spec.result = input.result;
  return spec;
}
