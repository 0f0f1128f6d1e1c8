import { TaskClientError, fullRaw } from './errors';
import type { TokenSource } from './options';

export interface Tokens {
  /** The token for the next connect or poll, or undefined. Rejects with an `auth` error when the token function fails. */
  read(): Promise<string | undefined>;
  /** `error` with every recent token, as given or as a server may echo it encoded, replaced by `[token]`; `raw` cut to 1 KiB after. */
  redact(error: TaskClientError): TaskClientError;
  /** `text` with every recent token replaced by `[token]`, as `redact` does. */
  redactText(text: string): string;
}

/** The `token` error of a token step that outlasted `ms` (pollTimeout for a poll, connectTimeout for a socket attempt). */
export const tokenTimeout = (ms: number): TaskClientError => new TaskClientError('token', `token: no answer within ${ms} ms`);

// An error may quote a token an earlier, slower request carried: the last few are all redacted.
const REMEMBERED = 16;

export function createTokens(source: TokenSource | undefined): Tokens {
  const recent = new Set<string>();
  const redactText = (text: string): string => {
    for (const token of recent) {
      // As sent (query string, header), percent-encoded, form-encoded, and inside a JSON string.
      const forms = [token, encodeURIComponent(token), new URLSearchParams({ t: token }).toString().slice(2), JSON.stringify(token).slice(1, -1)];
      for (const form of forms) text = text.split(form).join('[token]');
    }
    return text;
  };
  return {
    async read() {
      let token;
      try {
        token = typeof source === 'function' ? await source() : source;
      } catch {
        // The message is ours alone: whatever the token function threw may quote the token.
        throw new TaskClientError('auth', 'token: the token function failed');
      }
      if (!token) return undefined;
      recent.delete(token);
      recent.add(token);
      if (recent.size > REMEMBERED) recent.delete(recent.values().next().value as string);
      return token;
    },
    redact(error) {
      const raw = fullRaw(error);
      const message = redactText(error.message);
      const text = raw === undefined ? raw : redactText(raw);
      if (message === error.message && text === error.raw) return error;
      return new TaskClientError(error.kind, message, { raw: text, status: error.status });
    },
    redactText,
  };
}
