import assert from 'node:assert/strict';
import { test } from 'node:test';
import { duration, exactTime, isTimeZone, relativeTime, timeZoneChoices } from './time-format.js';

const now = new Date('2026-11-29T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

test('relative times read like a person would say them', () => {
  assert.equal(relativeTime(ago(3), now, 'UTC'), 'just now');
  assert.equal(relativeTime(ago(42), now, 'UTC'), '42 s ago');
  assert.equal(relativeTime(ago(12 * 60 + 30), now, 'UTC'), '12 min ago');
  assert.equal(relativeTime(ago(3 * 3600 + 100), now, 'UTC'), '3 h ago');
  assert.equal(relativeTime(ago(86_400), now, 'UTC'), '1 day ago');
  assert.equal(relativeTime(ago(2 * 86_400 + 5), now, 'UTC'), '2 days ago');
  assert.equal(relativeTime(ago(-5 * 60), now, 'UTC'), 'in 5 min');
  assert.equal(relativeTime(ago(90 * 86_400), now, 'UTC'), '31 Aug 2026');
});

test('the exact time is in the reader time zone', () => {
  assert.equal(exactTime(now, 'UTC'), '29 Nov 2026, 12:00:00 UTC');
  assert.match(exactTime(now, 'Europe/Copenhagen'), /^29 Nov 2026, 13:00:00 (CET|GMT\+1)$/);
  assert.match(exactTime(now, 'America/New_York'), /^29 Nov 2026, 07:00:00 (EST|GMT-5)$/);
});

test('time zones are checked against what Node.js knows', () => {
  assert.ok(isTimeZone('Europe/Dublin'));
  assert.ok(!isTimeZone('Mars/Olympus_Mons'));
  const choices = timeZoneChoices();
  assert.equal(choices[0], 'UTC');
  assert.ok(choices.includes('Europe/Copenhagen'));
  assert.equal(new Set(choices).size, choices.length);
});

test('durations are short and readable', () => {
  assert.equal(duration(450), '450 ms');
  assert.equal(duration(4_250), '4.3 s');
  assert.equal(duration(42_000), '42 s');
  assert.equal(duration(185_000), '3 min 5 s');
  assert.equal(duration(2 * 3_600_000 + 600_000), '2 h 10 min');
});
