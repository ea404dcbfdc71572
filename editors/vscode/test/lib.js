// Helpers shared by the TextMate tests: load the grammar with the same engine
// VS Code uses (vscode-textmate + the Oniguruma WASM build), tokenize text,
// and read the expectations table shared by all editor tests.
'use strict';

const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const EXTENSION = path.join(__dirname, '..');
const EDITORS = path.join(EXTENSION, '..');
const REPO = path.join(EDITORS, '..');
const GRAMMAR = path.join(EXTENSION, 'syntaxes', 'upkeep.tmLanguage.json');

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.upkeep') return null;
      return vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR);
    },
  });
  return registry.loadGrammar('source.upkeep');
}

/** Tokens of each line: `{ start, end, scopes }`, columns 0-based, UTF-16. */
function tokenize(grammar, text) {
  let state = vsctm.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => ({ start: t.startIndex, end: t.endIndex, scopes: t.scopes }));
  });
}

/**
 * The rows of editors/fixtures/expectations.tsv. `column` is where the
 * `nth` occurrence of `text` starts on `line` (0-based), each search
 * starting one character after the previous hit.
 */
function readExpectations() {
  const fixture = path.join(EDITORS, 'fixtures', 'tokens.upk');
  const lines = fs.readFileSync(fixture, 'utf8').split('\n');
  const table = fs.readFileSync(path.join(EDITORS, 'fixtures', 'expectations.tsv'), 'utf8');
  return {
    fixture,
    rows: table.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
      const [cls, line, text, nth, textmate, vim, treesitter] = l.split('\t');
      let column = -1;
      for (let i = 0; i < Number(nth); i++) {
        column = lines[Number(line) - 1].indexOf(text, column + 1);
        if (column < 0) throw new Error(`expectations.tsv: "${text}" #${nth} not on line ${line}`);
      }
      return { cls, line: Number(line), text, column, textmate, vim, treesitter };
    }),
  };
}

/** Every `.upk` file under `dir`, skipping dependency and build folders. */
function upkFiles(dir) {
  const skip = new Set(['node_modules', 'target', '.git']);
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && !skip.has(entry.name)) out.push(...upkFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.upk')) out.push(full);
  }
  return out.sort();
}

/** The closing line `editors/test.sh` adds up. */
function report(suite, passed, failed) {
  console.log(`${suite}: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

module.exports = { REPO, loadGrammar, tokenize, readExpectations, upkFiles, report };
