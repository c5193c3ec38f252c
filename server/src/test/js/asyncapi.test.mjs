// docs/asyncapi.yaml checked by the official AsyncAPI parser (its schema and semantic rules).
// Run by ClientLibraryTest with the other Node tests; `npm ci` in this folder installs the parser
// (.ci/run does). ContractDocumentsTest holds the document's frame types to the server's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const document = resolve(here, '../../../../docs/asyncapi.yaml');

let parserModule;
try {
  parserModule = await import('@asyncapi/parser');
} catch (e) {
  throw new Error('@asyncapi/parser is not installed: run `npm ci` in ' + here + ' (.ci/run does)\n' + e.message);
}
const { Parser, fromFile } = parserModule;

const SEVERITY = ['error', 'warning', 'info', 'hint'];

test('docs/asyncapi.yaml is a valid AsyncAPI 3 document, without errors or warnings', async () => {
  const { document: parsed, diagnostics } = await fromFile(new Parser(), document).parse();
  const problems = diagnostics.filter(d => d.severity <= 1)
    .map(d => `${SEVERITY[d.severity]} ${d.code} at ${d.path.join('.')}: ${d.message}`);
  assert.deepEqual(problems, []);
  assert.ok(parsed, 'the parser produced no document');
  assert.equal(parsed.version(), '3.0.0');
  assert.deepEqual(parsed.channels().all().map(c => c.address()).sort(), ['/realtime/events', '/realtime/webrtc/signaling', '/realtime/ws']);
});
