// Human text outside the catalogues (test/client → client/src): JSX text, and literals in JSX text attributes, found with the TypeScript compiler's parser.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API } from 'typescript/unstable/sync';
import { createVirtualFileSystem } from 'typescript/unstable/fs';
import { SyntaxKind, type Expression, type Node, type SourceFile } from 'typescript/unstable/ast';
import {
  isAsExpression,
  isBinaryExpression,
  isConditionalExpression,
  isIdentifier,
  isJsxAttribute,
  isJsxExpression,
  isJsxNamespacedName,
  isJsxText,
  isNonNullExpression,
  isNoSubstitutionTemplateLiteral,
  isParenthesizedExpression,
  isSatisfiesExpression,
  isStringLiteral,
  isTemplateExpression,
} from 'typescript/unstable/ast/is';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** JSX attributes whose value a person reads or hears. */
const TEXT_ATTRIBUTES = new Set(['aria-label', 'aria-description', 'aria-roledescription', 'aria-valuetext', 'title', 'alt', 'placeholder', 'label']);

/** Text that may stand in the code, not in the catalogues, each with its reason. Keep it tiny. */
const ALLOWED: ReadonlyMap<string, string> = new Map([['CORRIDOR', 'the product name, written the same in every language']]);

/** A piece of text a person would read that does not come from the catalogues. */
interface Finding {
  /** Path from the repository's root. */
  file: string;
  /** 1-based line and column. */
  line: number;
  column: number;
  /** Where it stands: JSX text, a text attribute (`aria-label`…), or a literal child `{'…'}`. */
  where: string;
  text: string;
}

/**
 * Whether `text` has something to translate: a letter of any script. Whitespace, figures, punctuation and symbols
 * (`·`, `—`, `|`, `/`) and HTML entities (`&nbsp;`) have none.
 * @example isHumanText(' · ') // false
 * @example isHumanText('Legend') // true
 */
function isHumanText(text: string): boolean {
  const plain = text.replace(/&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#x[0-9A-Fa-f]+);/g, ' ').trim();
  return /\p{L}/u.test(plain) && !ALLOWED.has(plain);
}

/**
 * The string literals (and template literal parts) an expression can evaluate to: the branches of `?:`, both
 * sides of `||`, `??` and `+`, the right of `&&`. A literal that is only compared (`state === 'open'`), indexed
 * or passed to a call (`t('legend.title')`) is not text shown, so it is not returned.
 */
function valueLiterals(expr: Expression): Node[] {
  if (isStringLiteral(expr) || isNoSubstitutionTemplateLiteral(expr)) return [expr];
  if (isTemplateExpression(expr)) return [expr.head, ...expr.templateSpans.flatMap((s) => [s.literal, ...valueLiterals(s.expression)])];
  if (isConditionalExpression(expr)) return [...valueLiterals(expr.whenTrue), ...valueLiterals(expr.whenFalse)];
  if (isParenthesizedExpression(expr) || isAsExpression(expr) || isSatisfiesExpression(expr) || isNonNullExpression(expr)) return valueLiterals(expr.expression);
  if (isBinaryExpression(expr)) {
    switch (expr.operatorToken.kind) {
      case SyntaxKind.AmpersandAmpersandToken:
      case SyntaxKind.CommaToken:
        return valueLiterals(expr.right);
      case SyntaxKind.BarBarToken:
      case SyntaxKind.QuestionQuestionToken:
      case SyntaxKind.PlusToken:
        return [...valueLiterals(expr.left), ...valueLiterals(expr.right)];
      default:
        return [];
    }
  }
  return [];
}

/** The findings of one parsed file. */
function scanFile(file: string, sf: SourceFile): Finding[] {
  const found: Finding[] = [];
  const at = (pos: number, where: string, text: string) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(pos);
    found.push({ file, line: line + 1, column: character + 1, where, text: text.trim().replace(/\s+/g, ' ') });
  };
  const literal = (node: Node, where: string) => {
    const text = (node as Node & { text: string }).text;
    if (isHumanText(text)) at(node.getStart(sf), where, text);
  };
  const visit = (node: Node): undefined => {
    if (isJsxText(node)) {
      if (!node.containsOnlyTriviaWhiteSpaces && isHumanText(node.text)) at(node.pos + (node.text.length - node.text.trimStart().length), 'JSX text', node.text);
    } else if (isJsxAttribute(node)) {
      const n = node.name;
      const name = isIdentifier(n) ? n.text : isJsxNamespacedName(n) ? `${n.namespace.text}:${n.name.text}` : '';
      const value = node.initializer;
      if (TEXT_ATTRIBUTES.has(name) && value) {
        if (isStringLiteral(value)) literal(value, name);
        else if (isJsxExpression(value) && value.expression) for (const l of valueLiterals(value.expression)) literal(l, name);
      }
    } else if (node.kind === SyntaxKind.JsxElement || node.kind === SyntaxKind.JsxFragment) {
      for (const child of (node as Node & { children: readonly Node[] }).children) {
        if (isJsxExpression(child) && child.expression) for (const l of valueLiterals(child.expression)) literal(l, 'JSX child');
      }
    }
    node.forEachChild(visit);
    return undefined;
  };
  visit(sf);
  return found;
}

/**
 * Parses `sources` (paths from the repository's root, with their text) with the TypeScript compiler and returns
 * the human text in them that is not from the catalogues, in file and line order.
 * @example scanSources([{ file: 'a.tsx', text: 'export const A = () => <p>Hello</p>;' }]) // [{ file: 'a.tsx', line: 1, column: 27, where: 'JSX text', text: 'Hello' }]
 */
function scanSources(sources: readonly { file: string; text: string }[]): Finding[] {
  const base = '/ui-strings';
  const config = `${base}/tsconfig.json`;
  const files: Record<string, string> = {
    [config]: JSON.stringify({
      compilerOptions: { jsx: 'preserve', noLib: true, types: [], noEmit: true, target: 'esnext', module: 'esnext', moduleResolution: 'bundler' },
      files: sources.map((s) => `${base}/${s.file}`),
    }),
  };
  for (const s of sources) files[`${base}/${s.file}`] = s.text;
  const api = new API({ cwd: base, fs: createVirtualFileSystem(files) });
  try {
    const snapshot = api.updateSnapshot({ openProjects: [config] });
    const program = (snapshot.getProject(config) ?? snapshot.getProjects()[0]).program;
    return sources
      .flatMap((s) => {
        const sf = program.getSourceFile(`${base}/${s.file}`);
        if (!sf) throw new Error(`${s.file} was not parsed`);
        return scanFile(s.file, sf);
      })
      .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  } finally {
    api.close();
  }
}

/** Every .ts and .tsx file under `dir` (not declaration files), skipping `skip`. */
function sourceFiles(dir: string, skip: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return path === skip ? [] : sourceFiles(path, skip);
      return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
    })
    .sort();
}

const show = (f: Finding) => `${f.file}:${f.line}:${f.column} ${f.where}: ${JSON.stringify(f.text)}`;

describe('ui strings', () => {
  it('the scanner finds planted text, in any script, and passes catalogue lookups (self-test)', () => {
    const planted = [
      'export function A({ w, on, n }: any) {',
      '  return (',
      '    <section aria-label="Legend" className="legend" data-testid="legend">',
      '      <p>Hello</p>',
      '      <p title={on ? `Last ${n} min` : w.t(\'x\')}>{on ? \'LIVE\' : w.t(\'connection.offline\')}</p>',
      '      <p>مرحبا</p>',
      '      <img alt="Map" src="a.png" />',
      '    </section>',
      '  );',
      '}',
    ].join('\n');
    expect(scanSources([{ file: 'client/src/ui/Planted.tsx', text: planted }]).map(show)).toEqual([
      'client/src/ui/Planted.tsx:3:25 aria-label: "Legend"',
      'client/src/ui/Planted.tsx:4:10 JSX text: "Hello"',
      'client/src/ui/Planted.tsx:5:22 title: "Last"',
      'client/src/ui/Planted.tsx:5:31 title: "min"',
      'client/src/ui/Planted.tsx:5:56 JSX child: "LIVE"',
      'client/src/ui/Planted.tsx:6:10 JSX text: "مرحبا"',
      'client/src/ui/Planted.tsx:7:16 alt: "Map"',
    ]);

    const clean = [
      'export function B({ w, s, n }: any) {',
      '  return (',
      "    <section aria-label={w.t('legend.title')} className=\"legend\">",
      "      <p>{w.t('x')}</p>",
      "      <p title={w.t('side.occupancy', { name: 'Ullevi' })}>&nbsp;·&nbsp;{' — '}{n} / {n}</p>",
      "      {s.state === 'open' && <b>{`${n}`} | {w.fmt.list(['a', 'b'])}</b>}",
      '      <p>CORRIDOR</p>',
      '    </section>',
      '  );',
      '}',
    ].join('\n');
    expect(scanSources([{ file: 'client/src/ui/Clean.tsx', text: clean }])).toEqual([]);
  });

  it('client/src shows no text outside the catalogues (client/src/i18n is the catalogues)', () => {
    const src = join(ROOT, 'client/src');
    const files = sourceFiles(src, join(src, 'i18n'));
    expect(files.length).toBeGreaterThan(10);
    const findings = scanSources(files.map((f) => ({ file: relative(ROOT, f), text: readFileSync(f, 'utf8') })));
    expect(findings.map(show)).toEqual([]);
  });
});
