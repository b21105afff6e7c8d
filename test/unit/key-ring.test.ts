// server/key-ring.ts: keys in insertion order in a fixed ring; the oldest comes out first, across the wrap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyRing } from '../../server/key-ring.ts';

test('oldest first across the wrap; a full ring refuses a push; an empty one gives undefined', () => {
  const ring = new KeyRing<string>(3);
  assert.equal(ring.shift(), undefined);
  for (const k of ['a', 'b', 'c']) ring.push(k);
  assert.throws(() => ring.push('d'), /full \(3 keys\)/);
  assert.equal(ring.shift(), 'a');
  ring.push('d');
  assert.equal(ring.oldest(), 'b');
  assert.deepEqual([ring.shift(), ring.shift(), ring.shift()], ['b', 'c', 'd']);
  assert.equal(ring.size, 0);
  assert.equal(ring.oldest(), undefined);
});
