/**
 * cdktf app entry: synthesizes the sg-sentry Terraform module into
 * dist/terraform-module/. `npm run synth` builds the function bundle first.
 *
 *   tsx main.ts [--out DIR]   write the module (default dist/terraform-module)
 *   tsx main.ts --write-docs  refresh the generated tables in README.md instead
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GENERATED_BEGIN, GENERATED_END, renderGeneratedDocsBlock } from './modules/module-readme';
import { synthesizeModuleJson, writeModule } from './modules/synthesize-module';

const root = __dirname;
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = outIndex >= 0 && args[outIndex + 1] ? resolve(args[outIndex + 1]!) : join(root, 'dist', 'terraform-module');

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
  writeModule({ outDir, bundleFile: join(root, 'dist', 'function', 'index.js') });
  console.log(`sg-sentry: wrote the Terraform module to ${outDir}`);
}
