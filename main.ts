/**
 * cdktf app entry: synthesizes the sg-sentry Terraform modules. `npm run synth` and
 * `npm run release:modules` build the function bundle first.
 *
 *   tsx main.ts [--out DIR]   write the modules to dist/ (the main module to DIR instead)
 *   tsx main.ts --release     write the released modules to terraform/, which is committed
 *   tsx main.ts --write-docs  refresh the generated tables in README.md instead
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GENERATED_BEGIN, GENERATED_END, renderGeneratedDocsBlock } from './modules/module-readme';
import { RELEASED_MODULES, moduleFiles, synthesizeModuleJson, writeModuleFiles } from './modules/synthesize-module';

const root = __dirname;
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const bundleFile = join(root, 'dist', 'function', 'index.js');

if (args.includes('--write-docs')) {
  const docsFile = join(root, 'README.md');
  const docs = readFileSync(docsFile, 'utf8');
  const begin = docs.indexOf(GENERATED_BEGIN);
  const end = docs.indexOf(GENERATED_END);
  if (begin < 0 || end < begin) throw new Error(`${docsFile} lacks the generated-block markers`);
  const block = renderGeneratedDocsBlock(synthesizeModuleJson());
  writeFileSync(docsFile, docs.slice(0, begin) + block + docs.slice(end + GENERATED_END.length));
  console.log(`sg-sentry: refreshed the generated tables in ${docsFile}`);
} else {
  const release = args.includes('--release');
  for (const [index, module] of RELEASED_MODULES.entries()) {
    const given = index === 0 && outIndex >= 0 && args[outIndex + 1] ? resolve(args[outIndex + 1]!) : undefined;
    const outDir = given ?? (release ? join(root, 'terraform', module.folder) : join(root, 'dist', module.distFolder));
    writeModuleFiles(outDir, moduleFiles(module, bundleFile));
    console.log(`sg-sentry: wrote the Terraform module ${module.folder} to ${outDir}`);
  }
}
