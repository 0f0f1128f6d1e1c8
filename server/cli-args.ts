import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startReferenceServer } from './index';
import type { ReferenceServer, ReferenceServerOptions } from './types';

export const USAGE = `Usage: flowrra-server [options]

  --port N             port to listen on, 0 for any free one (default 8000)
  --host HOST          interface to bind (default 127.0.0.1)
  --simulate N         submit about N random tasks a second
  --token SECRET       require this token on the socket and the API
  --cors ORIGIN        let this one origin call the API
  --origin ORIGIN      allow socket upgrades from this origin (repeatable)
  --static DIR         serve DIR under /
  --dist DIR           serve the SDK build: /flowrra-client.min.js, /flowrra-client.share.min.js, /dist/*
  --tls-cert FILE      serve https and wss (with --tls-key)
  --tls-key FILE
  --max-connections N  open sockets allowed (default 10000)
  -h, --help           show this text`;

/** A failure the CLI reports in one line, and exits 1. */
export class CliError extends Error {}

/** Bad flags: reported with the usage text, and exit 2. */
export class CliUsageError extends CliError {}

export type CliCommand = { help: true } | { help: false; options: ReferenceServerOptions };

export function parseCliArgs(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        simulate: { type: 'string' },
        token: { type: 'string' },
        cors: { type: 'string' },
        origin: { type: 'string', multiple: true },
        static: { type: 'string' },
        dist: { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'max-connections': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) {
    throw new CliUsageError('--tls-cert and --tls-key go together');
  }
  const options: ReferenceServerOptions = {
    port: number('--port', v.port, 0, 65535, true) ?? 8000,
    host: v.host,
    simulate: number('--simulate', v.simulate, 0, 10_000, false),
    token: v.token,
    cors: v.cors,
    origins: v.origin,
    staticDir: v.static,
    distDir: v.dist,
    tlsCert: v['tls-cert'],
    tlsKey: v['tls-key'],
    maxConnections: number('--max-connections', v['max-connections'], 1, 1_000_000, true),
  };
  for (const key of Object.keys(options) as (keyof ReferenceServerOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  return { help: false, options };
}

function number(flag: string, raw: string | undefined, min: number, max: number, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new CliUsageError(`${flag} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

export interface CliIo {
  log(message: string): void;
  error(message: string): void;
}

export interface Running {
  server: ReferenceServer;
  /** Stops the server and removes the signal handlers. */
  shutdown(): Promise<void>;
}

/** Starts the server from CLI arguments; SIGINT/SIGTERM stop it gracefully. Undefined after --help. */
export async function main(argv: readonly string[], io: CliIo = console): Promise<Running | undefined> {
  const command = parseCliArgs(argv);
  if (command.help) {
    io.log(USAGE);
    return undefined;
  }
  const { staticDir, distDir, port, host = '127.0.0.1' } = command.options;
  for (const [flag, dir] of [['--static', staticDir], ['--dist', distDir]]) {
    // Served as given, a missing folder would only show as 404s in the browser.
    if (dir !== undefined && !statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new CliError(`${flag} ${dir}: no such directory`);
  }
  let server: ReferenceServer;
  try {
    server = await startReferenceServer(command.options);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${port} on ${host} is in use: pass another --port, or --port 0 for any free one`);
    if (code === 'EACCES') throw new CliError(`no permission to listen on port ${port} on ${host}: pass a --port above 1023`);
    throw error;
  }
  io.log(`Flowrra reference server at ${server.url} (socket ${server.url.replace(/^http/, 'ws')}/ws)`);
  if (command.options.staticDir !== undefined) io.log(`Page: ${server.origin}/`);
  const shutdown = async () => {
    process.off('SIGINT', shutdown);
    process.off('SIGTERM', shutdown);
    await server.stop();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  return { server, shutdown };
}
