/**
 * Import rules of the cdktf side: provider classes by deep import only,
 * because the package root loads every AWS resource class (about five times slower synth); and
 * cdktf only in main.ts, modules/ and examples/cdktf/, so that switching to a fork (cdktn) is a
 * change of import strings there, and the Lambda never bundles cdktf.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './support/workspace';

const SKIP = new Set(['node_modules', 'dist', 'cdktf.out', '.git', '.gen']);

function typescriptFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return dir.endsWith('.ts') ? [dir] : [];
  return readdirSync(dir)
    .filter((entry) => !SKIP.has(entry))
    .flatMap((entry) => typescriptFiles(join(dir, entry)));
}

/** Module specifiers of static imports, re-exports, require() and import(). */
function importedModules(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  return [...source.matchAll(pattern)].map((match) => match[1]!);
}

const CDKTF_SIDE = ['main.ts', 'modules', join('examples', 'cdktf')].map((path) => join(REPO_ROOT, path));
const isCdktfSide = (file: string) => CDKTF_SIDE.some((allowed) => file === allowed || file.startsWith(`${allowed}/`));
const isCdkModule = (specifier: string) => /^(cdktf|cdktn|constructs)(\/|$)|^@(cdktf|cdktn)\//.test(specifier);

describe('import rules', () => {
  it('imports provider classes only from their own files (@cdktf/provider-aws/lib/<resource>)', () => {
    // Prepare
    const files = CDKTF_SIDE.flatMap(typescriptFiles);

    // Act
    const offending = files.flatMap((file) =>
      importedModules(file)
        .filter((specifier) => specifier.startsWith('@cdktf/provider-aws'))
        .filter((specifier) => !/^@cdktf\/provider-aws\/lib\/[a-z0-9-]+$/.test(specifier) || specifier.endsWith('/index'))
        .map((specifier) => `${relative(REPO_ROOT, file)}: ${specifier}`),
    );

    // Assess
    expect(files.length).to.be.greaterThan(3);
    expect(offending).to.deep.equal([]);
  });

  it('keeps cdktf and constructs out of everything but main.ts, modules/ and examples/cdktf/', () => {
    // Prepare
    const files = typescriptFiles(REPO_ROOT).filter((file) => !isCdktfSide(file));

    // Act
    const offending = files.flatMap((file) =>
      importedModules(file)
        .filter(isCdkModule)
        .map((specifier) => `${relative(REPO_ROOT, file)}: ${specifier}`),
    );

    // Assess
    expect(files.some((file) => file.startsWith(`${join(REPO_ROOT, 'function')}/`))).to.equal(true);
    expect(offending).to.deep.equal([]);
  });
});
