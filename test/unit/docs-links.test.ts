/**
 * Every relative link in README.md, ARCHITECTURE.md and docs/ resolves to a file
 * or folder of the repository, and every #anchor into a markdown file names one
 * of its headings (GitHub's slugs). Links to other sites are not followed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The documents checked: README.md, ARCHITECTURE.md and every .md under docs/. */
function documents(): string[] {
  const files = ['README.md', 'ARCHITECTURE.md'].map((f) => join(ROOT, f));
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk(join(ROOT, 'docs'));
  return files;
}

/** The lines outside fenced code blocks (the others blanked, so line numbers stay right), optionally without inline code. */
function prose(markdown: string, { inlineCode = false } = {}): string[] {
  let fence: string | null = null;
  return markdown.split('\n').map((line) => {
    const open = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (open && open[1]![0] === fence[0] && open[1]!.length >= fence.length) fence = null;
      return '';
    }
    if (open) {
      fence = open[1]!;
      return '';
    }
    return inlineCode ? line : line.replace(/(`+)(?:(?!\1).)+?\1/g, '');
  });
}

export interface Link {
  target: string;
  line: number;
}

/** Inline links and images `[text](target "title")`, reference definitions `[id]: target`, and HTML href/src. */
export function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  prose(markdown).forEach((text, i) => {
    const line = i + 1;
    for (const m of text.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1]!.replace(/^<|>$/g, ''), line });
    const def = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(text);
    if (def) links.push({ target: def[1]!.replace(/^<|>$/g, ''), line });
    for (const m of text.matchAll(/\b(?:href|src)\s*=\s*"([^"]*)"/g)) links.push({ target: m[1]!, line });
  });
  return links;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's text
    .replace(/<[^>]+>/g, '') // HTML tags
    .replace(/[`*]/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a markdown file offers: its headings' slugs (repeats get -1, -2, …) and explicit id/name attributes. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(markdown, { inlineCode: true })) {
    const h = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (h) {
      const base = slug(h[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  }
  return anchors;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/** The problems of one document's links: a missing file, a link leaving the repository, or an unknown anchor. */
export function brokenLinks(file: string, markdown: string, read: (path: string) => string | null, exists: (path: string) => boolean): string[] {
  const problems: string[] = [];
  const where = (line: number) => `${relative(ROOT, file)}:${line}`;
  for (const { target, line } of linksOf(markdown)) {
    if (isExternal(target)) continue;
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent((hash < 0 ? target : target.slice(0, hash)).replace(/\?.*$/, ''));
    const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
    const resolved = pathPart === '' ? file : pathPart.startsWith('/') ? join(ROOT, pathPart) : resolve(dirname(file), pathPart);
    if (resolved !== ROOT.replace(/[\\/]$/, '') && !resolved.startsWith(ROOT)) {
      problems.push(`${where(line)}: ${target} points outside the repository`);
      continue;
    }
    if (!exists(resolved)) {
      problems.push(`${where(line)}: ${target}: no such file or folder`);
      continue;
    }
    if (anchor !== null && resolved.endsWith('.md')) {
      const text = resolved === file ? markdown : read(resolved);
      if (text === null || !anchorsOf(text).has(anchor)) problems.push(`${where(line)}: ${target}: no heading with the anchor #${anchor}`);
    }
  }
  return problems;
}

const readFromDisk = (path: string) => (existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : null);

describe('documentation links', () => {
  it('every relative link in README.md, ARCHITECTURE.md and docs/ resolves, and every #anchor names a heading', () => {
    const files = documents();
    for (const required of ['README.md', 'ARCHITECTURE.md']) expect(existsSync(join(ROOT, required)), required).toBe(true);
    expect(files.some((f) => f.includes(`${sep}docs${sep}`))).toBe(true);

    let relativeLinks = 0;
    const problems: string[] = [];
    for (const file of files) {
      const markdown = readFileSync(file, 'utf8');
      relativeLinks += linksOf(markdown).filter((l) => !isExternal(l.target)).length;
      problems.push(...brokenLinks(file, markdown, readFromDisk, existsSync));
    }
    expect(problems).toEqual([]);
    // The documents link to each other; finding none would mean the link reader broke.
    expect(relativeLinks).toBeGreaterThan(10);
  });

  describe('the checker', () => {
    const file = join(ROOT, 'docs', 'example.md');
    const other = join(ROOT, 'docs', 'other.md');
    const disk = new Map<string, string>([
      [other, '# Other\n\n## The crash window\n\n## Digest: `npm run bench:digest`\n\n## Notes\n\n## Notes\n'],
      [join(ROOT, 'src'), ''],
    ]);
    const check = (markdown: string) =>
      brokenLinks(file, markdown, (p) => disk.get(p) ?? null, (p) => disk.has(p) || p === file);

    it('accepts links to files, folders, headings (GitHub slugs, repeats numbered) and other sites', () => {
      const md = [
        '# Example',
        '## Own heading',
        'See [other](other.md), [its window](other.md#the-crash-window), [bench](./other.md#digest-npm-run-benchdigest),',
        '[second notes](other.md#notes-1), [code](../src/), [here](#own-heading), [site](https://example.org/x.md#nope).',
        '[ref]: other.md#notes',
      ].join('\n');
      expect(check(md)).toEqual([]);
    });

    it('reports a missing file, a missing anchor, and a link that leaves the repository', () => {
      const md = ['# Example', '[gone](gone.md)', '[anchor](other.md#no-such-heading) and [self](#nowhere)', '[out](../../elsewhere/file.md)'].join('\n');
      const problems = check(md);
      expect(problems).toHaveLength(4);
      expect(problems[0]).toMatch(/docs\/example\.md:2: gone\.md: no such file/);
      expect(problems[1]).toMatch(/:3: other\.md#no-such-heading: no heading/);
      expect(problems[2]).toMatch(/:3: #nowhere: no heading/);
      expect(problems[3]).toMatch(/:4: .*points outside the repository/);
    });

    it('ignores links inside code blocks and inline code', () => {
      const md = ['# Example', '```md', '[gone](gone.md)', '```', 'Write `[x](gone.md)` to link.'].join('\n');
      expect(check(md)).toEqual([]);
    });
  });
});
