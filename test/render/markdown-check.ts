/** What "valid Markdown" means for org2org's comments, checked line by line (the renderers' tests share it). */
import assert from 'node:assert/strict';

/** A line with its code spans taken out (what is in them renders as typed). */
function withoutCodeSpans(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    if (line[i] !== '`' || (i > 0 && line[i - 1] === '\\')) {
      out += line[i++];
      continue;
    }
    let n = 0;
    while (line[i + n] === '`') n++;
    const close = new RegExp(`(?<!\`)\`{${n}}(?!\`)`, 'g');
    close.lastIndex = i + n;
    const m = close.exec(line);
    if (!m) {
      out += line.slice(i, i + n);
      i += n;
      continue;
    }
    out += '`code`';
    i = m.index + n;
  }
  return out;
}

/** Fences and `<details>` balanced, no HTML comment outside a fence but the marker on line 1. */
export function assertValidMarkdown(md: string, marker?: string): void {
  const lines = md.split('\n');
  let fence: { char: string; length: number } | undefined;
  let details = 0;
  lines.forEach((raw, i) => {
    let line = raw;
    const m = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence) {
      if (m && m[1]![0] === fence.char && m[1]!.length >= fence.length && m[2]!.trim() === '') fence = undefined;
      return;
    }
    if (m && !(m[1]![0] === '`' && m[2]!.includes('`'))) {
      fence = { char: m[1]![0]!, length: m[1]!.length };
      return;
    }
    line = withoutCodeSpans(line);
    details += (line.match(/<details>/g) ?? []).length;
    details -= (line.match(/<\/details>/g) ?? []).length;
    assert.ok(details >= 0, `line ${i + 1} closes a <details> that is not open: ${line}`);
    if (i === 0 && marker) {
      assert.equal(line, marker);
      return;
    }
    assert.ok(!line.includes('<!--'), `line ${i + 1} opens an HTML comment: ${line}`);
    assert.ok(!/<(?!\/?(details|summary|sub)>)[a-z!/]/i.test(line), `line ${i + 1} has raw HTML: ${line}`);
  });
  assert.equal(fence, undefined, 'a code fence is left open');
  assert.equal(details, 0, 'a <details> is left open');
}
