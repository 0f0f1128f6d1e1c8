import { describe, expect, it } from 'vitest';
import { jsonEqual } from '../src/equal';

describe('jsonEqual', () => {
  it.each([
    ['equal scalars', 1, 1, true],
    ['different scalars', 1, '1', false],
    ['null and an object', null, {}, false],
    ['objects in another key order', { a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }, true],
    ['a changed nested value', { a: [1, { c: 1 }] }, { a: [1, { c: 2 }] }, false],
    ['an extra key', { a: 1 }, { a: 1, b: 1 }, false],
    ['a key missing on one side, same count', { a: undefined }, { b: undefined }, false],
    ['arrays of another length', [1, 2], [1, 2, 3], false],
    ['arrays in another order', [1, 2], [2, 1], false],
    ['an array and an object with its keys', [1], { 0: 1 }, false],
    ['an object and an array with its keys', { 0: 1 }, [1], false],
    ['empty array and empty object', [], {}, false],
  ])('%s', (_, a, b, equal) => {
    expect(jsonEqual(a, b)).toBe(equal);
    expect(jsonEqual(b, a)).toBe(equal);
  });

  it('compares values nested deeper than the call stack', () => {
    const deep = (leaf: number) => {
      let value: unknown = leaf;
      for (let i = 0; i < 100_000; i++) value = i % 2 ? [value] : { v: value };
      return value;
    };
    expect(jsonEqual(deep(1), deep(1))).toBe(true);
    expect(jsonEqual(deep(1), deep(2))).toBe(false);
  });
});
