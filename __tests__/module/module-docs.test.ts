import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_BEGIN, GENERATED_END, renderGeneratedDocsBlock } from '../../modules/module-readme';
import { KEY_PERMISSIONS, PERMISSIONS, TOPIC_PERMISSIONS } from '../../modules/permissions';
import { TerraformJson } from '../../modules/synthesize-module';
import { REPO_ROOT, synthesizedWorkspace } from './support/workspace';

describe('module documentation', () => {
  let module: TerraformJson;
  let readme: string;

  before(() => {
    const workspace = synthesizedWorkspace();
    module = workspace.module;
    readme = readFileSync(join(workspace.moduleDir, 'README.md'), 'utf8');
  });

  it('generates a README listing every input with its type, default and description', () => {
    // Act
    const variables = module.variable as Record<string, { type: string; default: unknown; description: string }>;

    // Assess
    for (const [name, v] of Object.entries(variables)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, name).to.be.a('string');
      expect(row)
        .to.contain(`\`${v.type}\``)
        .and.contain(`\`${JSON.stringify(v.default)}\``);
      expect(row).to.contain(v.description.replace(/\|/g, '\\|'));
    }
  });

  it('generates a README listing every output and every statement of the role, topic and key policies with its reason', () => {
    // Assess
    for (const [name, o] of Object.entries(module.output as Record<string, { description: string }>)) {
      expect(readme, name).to.contain(`| \`${name}\` | ${o.description} |`);
    }
    for (const [sid, notes] of Object.entries({ ...PERMISSIONS, ...TOPIC_PERMISSIONS, ...KEY_PERMISSIONS })) {
      expect(readme, sid).to.contain(`| \`${sid}\` |`).and.contain(notes.why);
    }
    expect(readme).to.contain('CloudTrail trail');
  });

  it('keeps the generated tables in README.md in sync (npm run docs:module refreshes them)', () => {
    // Prepare
    const docs = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

    // Act
    const block = docs.slice(docs.indexOf(GENERATED_BEGIN), docs.indexOf(GENERATED_END) + GENERATED_END.length);

    // Assess
    expect(block, 'README.md is stale: run npm run docs:module').to.equal(renderGeneratedDocsBlock(module));
  });
});
