import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_BEGIN, GENERATED_END, renderGeneratedDocsBlock } from '../../modules/module-readme';
import { KEY_PERMISSIONS, PERMISSIONS, TOPIC_PERMISSIONS } from '../../modules/permissions';
import { TerraformJson } from '../../modules/synthesize-module';
import { REPO_ROOT, synthesizedWorkspace } from './support/workspace';

interface Statement {
  readonly sid: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources?: string[];
  readonly principals?: Array<{ identifiers: string[] }>;
  readonly condition?: Array<{ test: string; variable: string }>;
}

/** A policy document's statements as the module writes them: the fixed ones, then the conditional ones. */
function statementsOf(module: TerraformJson, documentName: string): Statement[] {
  const documents = (
    module.data as Record<string, Record<string, { statement?: Statement[]; dynamic?: { statement: Array<{ content: Statement }> } }>>
  ).aws_iam_policy_document!;
  const document = documents[documentName]!;
  return [...(document.statement ?? []), ...(document.dynamic?.statement ?? []).map((block) => block.content)];
}

/** The code spans of a Markdown table cell. */
const spans = (cell: string) => [...cell.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);

/** The rows of the first table after a heading, as cells (the outer pipes dropped, `\|` kept inside). */
function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.slice(markdown.indexOf(`${heading}\n`)).split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const table = lines.slice(start, start + lines.slice(start).findIndex((line) => !line.startsWith('|')));
  return table.slice(2).map((row) =>
    row
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim()),
  );
}

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

  it('lists in README.md each statement of the role, topic and key policies with exactly its actions, its resources or principals and its conditions', () => {
    // Prepare
    const docs = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const tables = [
      { heading: '### IAM permissions of the function', document: 'role_policy_document' },
      { heading: '### Policy of the topic the module creates', document: 'topic_policy_document' },
      { heading: '### Policy of the key the module creates', document: 'key_policy_document' },
    ];

    for (const { heading, document } of tables) {
      // Act
      const rows = tableAfter(docs, heading);
      const statements = statementsOf(module, document);

      // Assess
      expect(
        rows.map((row) => spans(row[0]!)[0]),
        heading,
      ).to.deep.equal(statements.map((s) => s.sid));
      for (const [index, statement] of statements.entries()) {
        const [, actions, targets, conditions] = rows[index]!;
        const targetCount = statement.principals
          ? statement.principals.flatMap((p) => p.identifiers).length
          : (statement.resources ?? []).length;
        expect(spans(actions!), statement.sid).to.deep.equal(
          statement.actions.map((a) => (statement.effect === 'Deny' ? `Deny: ${a}` : a)),
        );
        expect(spans(targets!), statement.sid).to.have.lengthOf(targetCount);
        const named = conditions === 'none' ? [] : conditions!.split('<br>').map((line) => spans(line)[0]);
        expect(named, statement.sid).to.deep.equal((statement.condition ?? []).map((c) => `${c.test} ${c.variable}`));
      }
    }
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
