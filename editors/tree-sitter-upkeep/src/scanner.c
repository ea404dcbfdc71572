// External scanner for tree-sitter-upkeep: the rate suffix of a quantity.
//
// `10MB/s` and `100/s` are single quantities, but `2 / s`, `t/1m` and
// `100/disk.size` are divisions. As in the Upkeep lexer
// (grammar/src/lexer.rs, rate_suffix_end), a `/` right after a number starts
// a rate suffix only if letters follow it and the word does not go on as a
// name (with a digit, `_` or `.`). Deciding that needs a look past the
// letters, which a tree-sitter lexer rule cannot take back, hence this file.

#include "tree_sitter/parser.h"

#include <stdbool.h>

enum TokenType {
  RATE_SUFFIX,
};

static bool is_letter(int32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static bool continues_name(int32_t c) {
  return is_letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

void *tree_sitter_upkeep_external_scanner_create(void) { return NULL; }

void tree_sitter_upkeep_external_scanner_destroy(void *payload) { (void)payload; }

unsigned tree_sitter_upkeep_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}

void tree_sitter_upkeep_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

bool tree_sitter_upkeep_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols) {
  (void)payload;
  // The suffix must touch the number: no whitespace is skipped here.
  if (!valid_symbols[RATE_SUFFIX] || lexer->lookahead != '/') {
    return false;
  }
  lexer->advance(lexer, false);
  if (!is_letter(lexer->lookahead)) {
    return false;
  }
  while (is_letter(lexer->lookahead)) {
    lexer->advance(lexer, false);
  }
  if (continues_name(lexer->lookahead)) {
    return false;
  }
  lexer->mark_end(lexer);
  lexer->result_symbol = RATE_SUFFIX;
  return true;
}
