import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropUnusedMembers, STATEMENTS_DROPPED, UNUSED_MEMBERS } from '../scripts/rws-unused.mjs';

const root = join(__dirname, '..');
const source = readFileSync(join(root, 'node_modules/reconnecting-websocket/reconnecting-websocket.ts'), 'utf8');

describe("the build's cut of reconnecting-websocket's unused members", () => {
  it('drops each named member and the statements using them, and keeps every line and column of the rest', () => {
    const out = dropUnusedMembers(source);
    expect(out).toHaveLength(source.length);
    expect(out.split('\n')).toHaveLength(source.split('\n').length);
    for (const name of ['public send(', '_messageQueue', 'get bufferedAmount', 'this.onopen', 'static get CONNECTING', 'dispatchEvent', '_debug', 'get binaryType']) expect(out).not.toContain(name);
    // The loop is untouched.
    for (const kept of ['private _connect() {', 'public reconnect(', 'public close(', 'static get CLOSED', 'set binaryType', 'this._ws.close(code, reason);', 'this._connectTimeout = setTimeout(() => this._handleTimeout(), connectionTimeout);']) {
      expect(out).toContain(kept);
    }
    const at = source.indexOf('private _connect() {');
    expect(out.indexOf('private _connect() {')).toBe(at);
  });

  it('fails the build when a named member is not in the class', () => {
    expect(() => dropUnusedMembers(source, [...UNUSED_MEMBERS, 'sendQueued'])).toThrow(/no member sendQueued to drop/);
  });

  it('fails the build when the statements using a dropped member are not the ones counted', () => {
    expect(() => dropUnusedMembers(source, UNUSED_MEMBERS, { ...STATEMENTS_DROPPED, _handleOpen: 2 })).toThrow(/statements using a dropped member/);
  });

  it('fails the build when code it does not drop comes to use a dropped member', () => {
    const changed = source.replace('private _handleTimeout() {', 'private _handleTimeout() {\n        const q = [this.onopen, 1][1];');
    expect(() => dropUnusedMembers(changed)).toThrow(/still uses a dropped member/);
  });

  it('the builds carry none of them', () => {
    for (const file of ['index.js', 'index.cjs', 'flowrra-client.min.js']) {
      const built = readFileSync(join(root, 'dist', file), 'utf8');
      for (const name of ['bufferedAmount', 'onmessage', 'extensions', 'RWS>']) expect(built, `${file}: ${name}`).not.toContain(name);
    }
  });
});
