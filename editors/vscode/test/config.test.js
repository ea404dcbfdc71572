// Checks the manifest and language-configuration.json: the `.upk`
// association, comments, brackets, auto-closing pairs, and that the
// indentation rules indent after an opening `{` and outdent on `}`.
'use strict';

const fs = require('fs');
const path = require('path');
const { report } = require('./lib');

const dir = path.join(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
const config = JSON.parse(fs.readFileSync(path.join(dir, 'language-configuration.json'), 'utf8'));
const increase = new RegExp(config.indentationRules.increaseIndentPattern);
const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
const pairs = (config.autoClosingPairs || []).map((p) => p.open + p.close);

const checks = [
  ['language id and extension', manifest.contributes.languages.some((l) => l.id === 'upkeep' && l.extensions.includes('.upk'))],
  ['grammar scope', manifest.contributes.grammars.some((g) => g.language === 'upkeep' && g.scopeName === 'source.upkeep')],
  ['no icon', !('icon' in manifest)],
  ['line comment', config.comments.lineComment === '//'],
  ['brackets', ['{}', '[]', '()'].every((b) => config.brackets.some(([o, c]) => o + c === b))],
  ['auto-closing pairs', ['{}', '[]', '()', '""'].every((p) => pairs.includes(p))],
  ['indent after `{`', increase.test('policy disk on db {')],
  ['indent after `{` and a comment', increase.test('  on crit { // page first')],
  ['indent after an open list', increase.test('action a = exec [')],
  ['no indent after a closed block', !increase.test('labels {team: "storage"}')],
  ['no indent after braces in a string', !increase.test('  message "{mount} is full"')],
  ['outdent on `}`', decrease.test('  }')],
  ['no outdent on other lines', !decrease.test('  every 1m')],
];

let passed = 0;
let failed = 0;
for (const [what, ok] of checks) {
  if (ok) passed++;
  else {
    failed++;
    console.log(`FAIL ${what}`);
  }
}
report('vs code manifest and language configuration', passed, failed);
