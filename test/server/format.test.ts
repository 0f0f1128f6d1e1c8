import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClock, formatNaiveLocal } from '../../server/clock';
import { completeTask, formatFrame } from '../../server/format';
import { pyDumps, pyNumber } from '../../server/pyjson';

const fixtureDir = join(__dirname, '..', 'fixtures');
const fixtures = readdirSync(fixtureDir).filter((name) => /^flowrra-.*\.frames\.jsonl$/.test(name));

describe('wire format', () => {
  it('finds the captured fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(4);
  });

  it.each(fixtures)('re-serializes every frame of %s byte for byte', (name) => {
    const lines = readFileSync(join(fixtureDir, name), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(formatFrame(JSON.parse(line))).toBe(line);
  });

  it('orders task keys as Flowrra does, whatever order they come in', () => {
    const task = { kwargs: {}, args: [], task_id: 't', status: 'running' as const, retries: 2 };
    expect(formatFrame({ type: 'task.delete', task: completeTask(task) })).toBe(
      '{"type": "task.delete", "task": {"task_id": "t", "status": "running", "task_name": null, "result": null, ' +
        '"error": null, "submitted_at": null, "started_at": null, "finished_at": null, "retries": 2, "args": [], "kwargs": {}}}',
    );
  });
});

describe('pyDumps (Python json.dumps defaults)', () => {
  it('escapes like ensure_ascii=True', () => {
    expect(pyDumps('é€😀')).toBe('"\\u00e9\\u20ac\\ud83d\\ude00"');
    expect(pyDumps('a"b\\c/d')).toBe('"a\\"b\\\\c/d"');
    expect(pyDumps('\n\r\t\b\f\u0001\u001f\u007f')).toBe('"\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f"');
    expect(pyDumps({ 'ключ': '<script>' })).toBe('{"\\u043a\\u043b\\u044e\\u0447": "<script>"}');
  });

  it('prints numbers like repr()', () => {
    const cases: [number, string][] = [
      [0, '0'], [-3, '-3'], [0.2, '0.2'], [1.5, '1.5'], [0.1 + 0.2, '0.30000000000000004'],
      [1e-4, '0.0001'], [1e-5, '1e-05'], [1.5e-7, '1.5e-07'], [123456.789, '123456.789'],
      [1e16, '1e+16'], [1.5e16, '1.5e+16'], [1e300, '1e+300'], [-2.5e-10, '-2.5e-10'],
      [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
    ];
    for (const [value, text] of cases) expect(pyNumber(value)).toBe(text);
  });

  it('uses ", " and ": " separators and keeps empty containers compact', () => {
    expect(pyDumps({ a: [1, { b: null }], c: {}, d: [], e: true, f: false })).toBe(
      '{"a": [1, {"b": null}], "c": {}, "d": [], "e": true, "f": false}',
    );
  });

  it('drops undefined object values and refuses cycles', () => {
    expect(pyDumps({ a: undefined, b: 1 })).toBe('{"b": 1}');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => pyDumps(cycle)).toThrow(TypeError);
  });
});

describe('timestamps', () => {
  it('are naive local ISO-8601 with six fraction digits', () => {
    const stamp = createClock()();
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(Math.abs(new Date(stamp).getTime() - Date.now())).toBeLessThan(5000);
  });

  it('strictly increase even within one microsecond', () => {
    const now = createClock();
    const stamps = Array.from({ length: 500 }, () => now());
    for (let i = 1; i < stamps.length; i++) expect(stamps[i] > stamps[i - 1]).toBe(true);
  });

  it('format microseconds and local fields', () => {
    const local = new Date(2026, 10, 25, 17, 33, 43, 170);
    expect(formatNaiveLocal(local.getTime() * 1000 + 442)).toBe('2026-11-25T17:33:43.170442');
  });
});
