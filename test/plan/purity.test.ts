/** src/plan is pure: no I/O, no clock, no environment, no Ink. Checked on the source itself. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const DIR = new URL('../../src/plan/', import.meta.url);
// did-you-mean is pure string arithmetic (a typo'd name in the config against what an org has).
const ALLOWED = new Set(['../config/types.js', '../credentials.js', '../state/types.js', '../config/did-you-mean.js']);

test('src/plan imports only types, its own modules and the Secret marker, and uses no clock or environment', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('create-plan.ts'));
  for (const file of files) {
    const source = readFileSync(new URL(file, DIR), 'utf8');
    for (const [, from] of source.matchAll(/from '([^']+)'/g)) {
      assert.ok(from!.startsWith('./') || ALLOWED.has(from!), `${file} imports ${from}`);
    }
    assert.doesNotMatch(source, /\b(process\.|Date\.now|new Date|Math\.random|performance\.now|setTimeout|fetch\()/, file);
  }
});
