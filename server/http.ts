import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Api } from './api';
import { SOCKET_PATH } from './hub';
import { requestUrl, sendError } from './respond';
import { serveStatic } from './static';

export interface RouteOptions {
  api: Api;
  staticDir?: string;
  distDir?: string;
}

// The script-tag files: the client, and tab sharing.
const BUNDLE_PATHS = ['/flowrra-client.min.js', '/flowrra-client.share.min.js'];
const DIST_PREFIX = '/dist/';

/** API first, then the SDK bundle, then the static site. Static files need no token. */
export function createRequestHandler({ api, staticDir, distDir }: RouteOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = requestUrl(req);
    if (!url) return sendError(res, 400, 'Bad Request');
    const { pathname } = url;
    if (api.handle(req, res, url)) return;
    if (pathname === SOCKET_PATH) return sendError(res, 426, 'Upgrade Required', { Upgrade: 'websocket' });
    const served =
      distDir !== undefined && BUNDLE_PATHS.includes(pathname)
        ? serveStatic(distDir, pathname, req, res)
        : distDir !== undefined && pathname.startsWith(DIST_PREFIX)
          ? serveStatic(distDir, pathname.slice(DIST_PREFIX.length - 1), req, res)
          : staticDir !== undefined
            ? serveStatic(staticDir, pathname, req, res)
            : undefined;
    if (!served) return sendError(res, 404, 'Not Found');
    served.catch(() => {
      if (!res.headersSent) sendError(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  };
}
