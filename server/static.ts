import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { sendError } from './respond';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/**
 * Answers with the file at `urlPath` (still percent-encoded) inside `root`; a directory serves
 * its index.html. Anything resolving outside `root`, symlinks included, is refused.
 */
export async function serveStatic(root: string, urlPath: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath);
  } catch {
    return sendError(res, 400, 'Bad path');
  }
  if (relative.includes('\0')) return sendError(res, 400, 'Bad path');
  const base = resolve(root);
  let file = resolve(join(base, relative));
  if (!inside(base, file)) return sendError(res, 403, 'Forbidden');
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    const real = await realpath(file);
    if (!inside(await realpath(base), real)) return sendError(res, 403, 'Forbidden');
    const info = await stat(real);
    if (!info.isFile()) return sendError(res, 404, 'Not Found');
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(real)
      .on('error', () => res.destroy())
      .pipe(res);
  } catch {
    sendError(res, 404, 'Not Found');
  }
}

function inside(root: string, file: string): boolean {
  return file === root || file.startsWith(root + sep);
}
