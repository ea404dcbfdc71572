// Asserts the TextMate scope of every token class: for each row of
// editors/fixtures/expectations.tsv, every token overlapping the row's text
// must carry the row's scope. Then a few mistakes the grammar must mark as
// invalid, as the lexer and the parser reject them.
'use strict';

const fs = require('fs');
const { loadGrammar, tokenize, readExpectations, report } = require('./lib');

const INVALID = [
  ['  message "a \\q b"', '\\q'], // unknown escape in a template string
  ['  message "{1x}"', '{1x}'], // not a name
  ['  message "a } b"', '}'], // a stray brace: write }}
  ['  let x = disk.free{mount=="/"}', '=='], // == in a label matcher
  ['  let x = $y', '$'], // no token starts with $
  ['  let x = 5 %', '%'], // % must touch its number
];

async function main() {
  const grammar = await loadGrammar();
  const { fixture, rows } = readExpectations();
  const lines = tokenize(grammar, fs.readFileSync(fixture, 'utf8'));
  let passed = 0;
  let failed = 0;
  for (const row of rows) {
    if (row.textmate === '-') continue;
    const end = row.column + row.text.length;
    const tokens = lines[row.line - 1].filter((t) => t.start < end && t.end > row.column);
    const wrong = tokens.filter((t) => !t.scopes.includes(row.textmate));
    if (tokens.length > 0 && wrong.length === 0) {
      passed++;
    } else {
      failed++;
      const got = wrong.map((t) => t.scopes.slice(1).join(' ')).join(' | ');
      console.log(`FAIL ${row.cls}: line ${row.line} ${JSON.stringify(row.text)} should be ${row.textmate}, got ${got}`);
    }
  }
  for (const [line, text] of INVALID) {
    const [tokens] = tokenize(grammar, line);
    const column = line.indexOf(text);
    const hit = tokens.filter((t) => t.start < column + text.length && t.end > column);
    if (hit.length > 0 && hit.every((t) => t.scopes.some((s) => s.startsWith('invalid.illegal')))) {
      passed++;
    } else {
      failed++;
      console.log(`FAIL ${JSON.stringify(text)} in ${JSON.stringify(line)} should be invalid.illegal`);
    }
  }
  report('textmate token classes', passed, failed);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
