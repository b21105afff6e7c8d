// isoTime (server/gateway/iso-time.ts) writes what Date#toISOString writes, whatever the order of calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoTime } from '../../server/gateway/iso-time.ts';

test('isoTime equals Date#toISOString: around second boundaries, every width of milliseconds, back in time, extended years', () => {
  const now = Date.now();
  const cases = [now, now - 1, now + 1, 0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1_700_000_000_000, 1_700_000_000_999, 1_699_999_999_999, 253_402_300_799_999, 253_402_300_800_000, 8.64e15, now + 0.7];
  for (let i = 0; i < 5000; i++) cases.push(Math.floor(Math.random() * 4_102_444_800_000), now + Math.floor(Math.random() * 5000) - 2500);
  for (const ms of cases) assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
});
