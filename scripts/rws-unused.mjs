// reconnecting-websocket's class members the client never reaches, dropped from its TypeScript
// source at build time, as a bundler drops a module's unused functions (a class's members it cannot
// see through). src/socket.ts constructs it, sets binaryType, listens to open/message/close and calls
// reconnect() and close(); its loop (_connect, the URL provider, connectionTimeout, maxRetries,
// minUptime, _handle*, reconnect, close) is left exactly as written. See docs/performance.md.
import ts from 'typescript';

/** The members dropped, each with why the client can do without it. */
export const UNUSED_MEMBERS = [
  // The send queue: the client never sends.
  'send',
  '_messageQueue',
  'bufferedAmount',
  // Read-only views of the current socket and state the client never reads.
  'extensions',
  'protocol',
  'url',
  'readyState',
  'retryCount',
  // Ready-state constants, static and instance, the remaining code never reads (CLOSED it does).
  'CONNECTING',
  'OPEN',
  'CLOSING',
  // The on* properties: the client listens with addEventListener.
  'onopen',
  'onclose',
  'onerror',
  'onmessage',
  // Listeners are never removed one by one, and no event is dispatched from outside.
  'removeEventListener',
  'dispatchEvent',
  // binaryType is set, never read: its setter stays.
  'get binaryType',
  // Its debug output, which the client never turns on: the method and each call to it.
  '_debug',
];

/**
 * The statements of remaining methods that use a dropped member (the queue's flush at open, the on*
 * calls), by method: counted, so that an update which moves one fails the build too.
 */
export const STATEMENTS_DROPPED = {
  close: 2,
  _getNextDelay: 1,
  _connect: 3,
  _handleTimeout: 1,
  _acceptOpen: 1,
  _handleOpen: 4,
  _handleMessage: 2,
  _handleError: 3,
  _handleClose: 2,
  _removeListeners: 1,
  _addListeners: 1,
};

const nameOf = (node) => node.name && ts.isIdentifier(node.name) && node.name.text;
// A member named `get x` is x's getter alone; `x` is every member so named.
const specOf = (node) => (ts.isGetAccessor(node) ? [nameOf(node), `get ${nameOf(node)}`] : [nameOf(node)]);

/**
 * The statements under `node` that use a dropped member: an expression statement that does, an `if`
 * whose condition does (the `if (this.onopen)` guards); other statements are searched within.
 */
const statementsUsing = (node, dropped) => {
  const found = [];
  const visit = (child) => {
    if ((ts.isExpressionStatement(child) && usesDropped(child, dropped, true)) || (ts.isIfStatement(child) && usesDropped(child.expression, dropped, true))) found.push(child);
    else ts.forEachChild(child, visit);
  };
  ts.forEachChild(node, visit);
  return found;
};

/**
 * Whether `node` reads a dropped member: `this.x` or `ReconnectingWebSocket.x`. `shallow`: not in the
 * functions it holds (a `.then(url => ...)` callback is searched on its own, statement by statement).
 */
const usesDropped = (node, dropped, shallow = false) => {
  let found = false;
  const visit = (child) => {
    if (found || (shallow && ts.isFunctionLike(child))) return;
    if (ts.isPropertyAccessExpression(child) && dropped.has(child.name.text) && (child.expression.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(child.expression) && child.expression.text === 'ReconnectingWebSocket'))) found = true;
    else ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
};

/**
 * reconnecting-websocket's source with the members in `members` (and the statements that use them)
 * blanked out: every removed character but line breaks becomes a space, so that line and column of
 * all that remains, and the source map esbuild makes from it, are unchanged. Throws when a member
 * is not in the class, or the statements using them are not the ones counted in `statements`.
 */
export function dropUnusedMembers(code, members = UNUSED_MEMBERS, statements = STATEMENTS_DROPPED) {
  const file = ts.createSourceFile('reconnecting-websocket.ts', code, ts.ScriptTarget.Latest, true);
  const cls = file.statements.find((node) => ts.isClassDeclaration(node) && node.name?.text === 'ReconnectingWebSocket');
  if (!cls) throw new Error('reconnecting-websocket: class ReconnectingWebSocket not found');
  const dropped = new Set(members);
  const ranges = [];
  const found = new Set();
  const counted = {};
  const wholly = new Set(members.filter((spec) => !spec.startsWith('get ')));
  for (const member of cls.members) {
    const name = nameOf(member);
    const spec = specOf(member).find((one) => dropped.has(one));
    if (spec) {
      found.add(spec);
      ranges.push([member.getFullStart(), member.getEnd()]);
      continue;
    }
    for (const statement of statementsUsing(member, wholly)) {
      counted[name] = (counted[name] ?? 0) + 1;
      ranges.push([statement.getFullStart(), statement.getEnd()]);
    }
  }
  const missing = members.filter((name) => !found.has(name));
  if (missing.length) throw new Error(`reconnecting-websocket: no member ${missing.join(', ')} to drop (has it changed? see scripts/rws-unused.mjs)`);
  if (JSON.stringify(counted) !== JSON.stringify(statements)) {
    throw new Error(`reconnecting-websocket: statements using a dropped member, by method, are ${JSON.stringify(counted)}, not ${JSON.stringify(statements)} (has it changed? see scripts/rws-unused.mjs)`);
  }
  let out = code;
  for (const [start, end] of ranges) out = out.slice(0, start) + out.slice(start, end).replace(/[^\r\n]/g, ' ') + out.slice(end);
  // Anything left that reads a dropped member would be undefined at run time.
  const left = ts.createSourceFile('reconnecting-websocket.ts', out, ts.ScriptTarget.Latest, true);
  if (usesDropped(left, wholly)) throw new Error('reconnecting-websocket: code outside the dropped statements still uses a dropped member');
  return out;
}
