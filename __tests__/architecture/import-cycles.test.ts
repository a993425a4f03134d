import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCycles, importGraph } from '../helpers/import-graph';

const FUNCTION = join(__dirname, '..', '..', 'function');

describe('imports in function/', () => {
  it('form no cycle', () => {
    // Prepare
    const graph = importGraph(FUNCTION);

    // Act
    const cycles = importCycles(graph);

    // Assess
    expect([...graph.values()].flat().length, 'the walk found the imports').to.be.greaterThan(100);
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).to.deep.equal([]);
  });

  it('are walked through type imports and re-exports, and a cycle is named by its path', () => {
    // Prepare: a → b by a type import, b → c by a re-export, c → a.
    const dir = mkdtempSync(join(tmpdir(), 'sg-sentry-cycle-'));
    writeFileSync(join(dir, 'a.ts'), "import type { B } from './b';\nexport type A = B;\n");
    writeFileSync(join(dir, 'b.ts'), "export { C as B } from './c';\n");
    writeFileSync(join(dir, 'c.ts'), "import { a } from './a';\nexport type C = typeof a;\n");

    // Act
    const cycles = importCycles(importGraph(dir));

    // Assess
    expect(cycles).to.deep.equal(['a.ts → b.ts → c.ts → a.ts']);
  });
});
