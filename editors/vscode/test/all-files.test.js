// Every `.upk` file in the repository (examples, stdlib, test corpora, these
// editor fixtures) must tokenize without an `invalid` scope: the grammar marks
// as invalid only what the lexer rejects, so a hit is a grammar bug. Files
// meant to be wrong are skipped: the error corpus (tests/corpus/err) and the
// fuzzer's inputs (fuzz/).
'use strict';

const fs = require('fs');
const path = require('path');
const { REPO, loadGrammar, tokenize, upkFiles, report } = require('./lib');

async function main() {
  const grammar = await loadGrammar();
  const wrongOnPurpose = [path.join(REPO, 'tests', 'corpus', 'err'), path.join(REPO, 'fuzz')].map((d) => d + path.sep);
  let passed = 0;
  let failed = 0;
  for (const file of upkFiles(REPO).filter((f) => !wrongOnPurpose.some((d) => f.startsWith(d)))) {
    const lines = tokenize(grammar, fs.readFileSync(file, 'utf8'));
    const bad = [];
    lines.forEach((tokens, i) => {
      for (const t of tokens) {
        const scope = t.scopes.find((s) => s.startsWith('invalid'));
        if (scope) bad.push(`${path.relative(REPO, file)}:${i + 1}:${t.start + 1}: ${scope}`);
      }
    });
    if (bad.length === 0) passed++;
    else {
      failed++;
      bad.forEach((b) => console.log(`FAIL ${b}`));
    }
  }
  report('textmate files without invalid tokens', passed, failed);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
