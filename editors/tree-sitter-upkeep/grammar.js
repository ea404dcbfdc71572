/**
 * Tree-sitter grammar for Upkeep (`.upk`), following
 * grammar/src/parser/grammar.lalrpop. It may accept more than the real
 * parser (it does not check that durations have units, for example) but it
 * must parse every valid file without an ERROR node: tests/parse_repository.rs
 * parses every `.upk` file of examples/, stdlib/ and tests/corpus/ok/.
 *
 * Regenerate src/ with `tree-sitter generate --abi 14` (see README.md).
 */

// Every reserved word of the language. A test (tests/keywords.rs) keeps this
// list equal to KEYWORDS in grammar/src/token.rs: edit both together.
const KEYWORDS = [
  'tenant', 'use', 'metric', 'unit', 'fleet', 'calendar', 'action', 'fn', 'policy', 'apply',
  'task', 'test', 'from', 'lookback',
  'on', 'every', 'jitter', 'let', 'when', 'for', 'checks', 'of', 'recover', 'keep', 'nodata',
  'flapping', 'changes', 'message', 'labels', 'escalate', 'after', 'quiet', 'pause', 'during',
  'depends',
  'timeout', 'retry', 'backoff', 'verify', 'within', 'cooldown', 'at', 'most', 'per',
  'concurrency', 'dry', 'run',
  'and', 'or', 'not', 'if', 'then', 'else', 'in', 'over', 'by', 'true', 'false',
  'hosts', 'where', 'daily', 'weekly', 'monthly', 'cron', 'exec', 'webhook', 'body', 'notify',
  'series', 'expect', 'no',
];

// Operator precedence, loosest first (as the lalrpop grammar nests them).
const PREC = {
  if: 1,
  or: 2,
  and: 3,
  not: 4,
  compare: 5,
  in: 6,
  add: 7,
  multiply: 8,
  negate: 9,
  unit_multiply: 1,
  unit_power: 2,
};

/** `rule, rule, …` with an optional trailing comma. */
function commaSep(rule) {
  return optional(seq(rule, repeat(seq(',', rule)), optional(',')));
}

module.exports = grammar({
  name: 'upkeep',

  word: $ => $.identifier,

  extras: $ => [/\s/, $.comment],

  // The `/s` of `10MB/s`, decided in src/scanner.c.
  externals: $ => [$._rate_suffix],

  supertypes: $ => [$._item, $._clause, $._step, $._expression],

  rules: {
    source_file: $ => repeat($._item),

    _item: $ => choice(
      $.tenant_declaration,
      $.use_declaration,
      $.metric_declaration,
      $.unit_declaration,
      $.fleet_declaration,
      $.calendar_declaration,
      $.action_declaration,
      $.fn_declaration,
      $.policy_declaration,
      $.apply_declaration,
      $.task_declaration,
      $.test_declaration,
    ),

    // ------------------------------------------------------------ declarations

    tenant_declaration: $ => seq('tenant', field('name', $.identifier)),

    use_declaration: $ => seq(
      'use',
      field('path', $.identifier),
      optional(seq('.', '{', commaSep(field('name', $.identifier)), '}')),
    ),

    metric_declaration: $ => seq(
      'metric',
      field('name', $.identifier),
      ':',
      field('kind', $.identifier),
      optional($.unit_annotation),
      optional(seq('labels', '(', commaSep($.label_declaration), ')')),
      optional(seq('from', field('source', $.plain_string))),
      optional(seq('lookback', field('lookback', $._expression))),
    ),

    label_declaration: $ => seq(
      field('name', $._any_name),
      optional(seq('=', field('source', $._any_name))),
    ),

    unit_declaration: $ => seq(
      'unit',
      field('name', choice($.identifier, $.plain_string)),
      optional(seq('=', field('value', $._expression))),
    ),

    fleet_declaration: $ => seq(
      'fleet',
      field('name', $.identifier),
      '=',
      'hosts',
      optional(seq('where', field('filter', $._expression))),
    ),

    calendar_declaration: $ => seq(
      'calendar',
      field('name', $.identifier),
      '=',
      field('spec', $.calendar_spec),
      optional(seq('in', field('zone', $.plain_string))),
    ),

    calendar_spec: $ => choice(
      seq('daily', $.time_range),
      seq('weekly', field('day', $.identifier), repeat(seq(',', field('day', $.identifier))),
        optional($.time_range)),
      seq('monthly', field('nth', choice($.ordinal, $.identifier)), optional(field('day', $.identifier)),
        optional($.time_range)),
      // A primary, not a full expression, so that `in "TZ"` is not read as `in [...]`.
      seq('cron', field('schedule', $.plain_string), 'for', field('duration', $._primary)),
    ),

    time_range: $ => choice(
      seq(field('start', $.time), '..', field('end', $.time)),
      seq(field('start', $.time), 'for', field('duration', $._primary)),
    ),

    action_declaration: $ => seq(
      'action',
      field('name', $.identifier),
      optional($.parameters),
      '=',
      field('body', choice($.exec_body, $.webhook_body, $.notify_body)),
    ),

    exec_body: $ => seq('exec', '[', commaSep($._expression), ']'),
    webhook_body: $ => seq('webhook', field('url', $._expression),
      optional(seq('body', field('body', $._expression)))),
    notify_body: $ => seq('notify', field('channel', $._expression)),

    fn_declaration: $ => seq(
      'fn',
      field('name', $.identifier),
      $.parameters,
      optional(seq('->', field('return_type', $.type))),
      '=',
      field('body', $._expression),
    ),

    parameters: $ => seq('(', commaSep($.parameter), ')'),

    parameter: $ => seq(
      field('name', $.identifier),
      optional(seq(':', field('type', $.type))),
      optional(seq('=', field('default', $._expression))),
    ),

    type: $ => seq(
      field('name', choice($.identifier, alias('labels', $.identifier))),
      optional($.unit_annotation),
    ),

    // `<bytes/s>` after a metric kind or a type.
    unit_annotation: $ => seq('<', $._unit_expression, '>'),

    _unit_expression: $ => choice($.unit_binary, $.unit_power, $._unit_atom),

    unit_binary: $ => prec.left(PREC.unit_multiply, seq(
      field('left', $._unit_expression),
      field('operator', choice('*', '/')),
      field('right', choice($.unit_power, $._unit_atom)),
    )),

    unit_power: $ => prec(PREC.unit_power, seq(
      field('base', $._unit_atom),
      '^',
      optional('-'),
      field('exponent', $.quantity),
    )),

    _unit_atom: $ => choice(
      alias($.identifier, $.unit_name),
      $.quantity,
      seq('(', $._unit_expression, ')'),
    ),

    policy_declaration: $ => seq(
      'policy',
      field('name', $.identifier),
      optional($.parameters),
      'on',
      field('fleet', $.identifier),
      field('body', $.block),
    ),

    apply_declaration: $ => seq(
      'apply',
      field('policy', $.identifier),
      $.arguments,
      'on',
      field('fleet', $.identifier),
    ),

    task_declaration: $ => seq(
      'task',
      field('name', $.identifier),
      'on',
      field('fleet', $.identifier),
      field('body', $.block),
    ),

    block: $ => seq('{', repeat($._clause), '}'),

    // ------------------------------------------------------------ clauses

    _clause: $ => choice(
      $.every_clause,
      $.let_clause,
      $.level_clause,
      $.keep_clause,
      $.nodata_clause,
      $.flapping_clause,
      $.message_clause,
      $.labels_clause,
      $.on_clause,
      $.escalate_clause,
      $.quiet_clause,
      $.pause_clause,
      $.depends_clause,
      $.during_clause,
      $.when_clause,
      $._step,
    ),

    every_clause: $ => seq(
      'every', field('interval', $._expression),
      optional(seq('jitter', field('jitter', $._expression))),
    ),

    let_clause: $ => seq('let', field('name', $.identifier), '=', field('value', $._expression)),

    level_clause: $ => seq(
      field('level', $.identifier),
      'when',
      field('condition', $._expression),
      optional(field('hold', $.hold)),
      optional(field('recover', $.recover)),
    ),

    hold: $ => seq(
      'for',
      field('value', $._expression),
      optional(choice(
        'checks',
        seq('of', field('of', $._expression), 'checks'),
      )),
    ),

    recover: $ => seq(
      'recover', 'when', field('condition', $._expression),
      optional(seq('for', field('hold', $._expression))),
    ),

    keep_clause: $ => seq('keep', field('duration', $._expression)),

    nodata_clause: $ => seq(
      'nodata', field('after', $._expression), '=>',
      field('outcome', choice($.identifier, 'keep')),
    ),

    flapping_clause: $ => seq(
      'flapping', field('changes', $._expression), 'changes', 'in', field('window', $._expression),
    ),

    message_clause: $ => seq('message', $.string),

    labels_clause: $ => seq('labels', '{', commaSep($.field), '}'),

    on_clause: $ => seq('on', field('level', $.identifier), '{', repeat($._step), '}'),

    escalate_clause: $ => seq('escalate', '{', repeat($.escalation_step), '}'),

    escalation_step: $ => seq('after', field('after', $._expression), $.action_call),

    quiet_clause: $ => seq('quiet', 'during', field('calendar', $.identifier)),
    pause_clause: $ => seq('pause', 'during', field('calendar', $.identifier)),
    during_clause: $ => seq('during', field('calendar', $.identifier)),
    when_clause: $ => seq('when', field('condition', $._expression)),

    depends_clause: $ => seq(
      'depends', 'on', field('policy', $.identifier),
      optional(seq('by', '(', commaSep(field('label', $._any_name)), ')')),
    ),

    // ------------------------------------------------------------ remediation steps

    _step: $ => choice(
      $.action_call,
      $.verify_step,
      $.cooldown_step,
      $.at_most_step,
      $.concurrency_step,
      $.dry_run_step,
    ),

    action_call: $ => seq(
      field('action', $.identifier),
      $.arguments,
      optional(seq('timeout', field('timeout', $._expression))),
      optional($.retry),
    ),

    retry: $ => seq(
      'retry', field('count', $._expression),
      optional(seq('backoff', field('backoff', $._expression))),
    ),

    verify_step: $ => seq('verify', field('condition', $._expression), 'within', field('within', $._expression)),

    cooldown_step: $ => seq('cooldown', field('duration', $._expression)),

    at_most_step: $ => seq('at', 'most', field('count', $._expression), choice(
      seq('per', field('per', $._expression), optional(seq('then', 'escalate'))),
      seq('of', 'fleet'),
    )),

    concurrency_step: $ => seq('concurrency', field('count', $._expression)),

    dry_run_step: _ => seq('dry', 'run'),

    // ------------------------------------------------------------ tests

    test_declaration: $ => seq(
      'test',
      field('name', $.identifier),
      '{',
      repeat(choice($.series_item, $.expect_item)),
      '}',
    ),

    series_item: $ => seq(
      'series',
      field('metric', $.identifier),
      optional($.matchers),
      '=',
      field('value', $._expression),
      optional(seq('every', field('every', $._expression))),
      optional(seq('for', field('duration', $._expression))),
    ),

    expect_item: $ => seq(
      'expect',
      choice(
        seq(field('level', $.identifier),
          optional(field('state', choice($.identifier, alias('flapping', $.identifier))))),
        seq('action', field('action', $.identifier)),
        seq('no', 'action', optional(field('action', $.identifier))),
      ),
      optional(seq('on', $.matchers)),
      optional(seq('at', field('at', $._expression))),
    ),

    // ------------------------------------------------------------ expressions

    _expression: $ => choice(
      $.if_expression,
      $.binary_expression,
      $.unary_expression,
      $.in_expression,
      $._primary,
    ),

    if_expression: $ => prec.right(PREC.if, seq(
      'if', field('condition', $._expression),
      'then', field('consequence', $._expression),
      'else', field('alternative', $._expression),
    )),

    binary_expression: $ => {
      const table = [
        [PREC.or, 'or'],
        [PREC.and, 'and'],
        [PREC.compare, choice('==', '!=', '<', '<=', '>', '>=')],
        [PREC.add, choice('+', '-')],
        [PREC.multiply, choice('*', '/')],
      ];
      return choice(...table.map(([p, op]) => prec.left(p, seq(
        field('left', $._expression),
        field('operator', op),
        field('right', $._expression),
      ))));
    },

    unary_expression: $ => choice(
      prec(PREC.not, seq(field('operator', 'not'), field('operand', $._expression))),
      prec(PREC.negate, seq(field('operator', '-'), field('operand', $._expression))),
    ),

    in_expression: $ => prec.left(PREC.in, seq(
      field('value', $._expression),
      optional('not'),
      'in',
      field('list', $.list),
    )),

    _primary: $ => choice(
      $.quantity,
      $.string,
      $.boolean,
      alias($.identifier, $.variable),
      $.selector,
      $.call,
      $.parenthesized_expression,
      $.list,
      $.record,
    ),

    boolean: _ => choice('true', 'false'),

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    list: $ => seq('[', commaSep($._expression), ']'),

    record: $ => seq('{', commaSep($.field), '}'),

    field: $ => seq(
      field('key', choice($._any_name, $.plain_string)),
      ':',
      field('value', $._expression),
    ),

    selector: $ => seq(field('metric', $.identifier), $.matchers),

    matchers: $ => seq('{', commaSep($.matcher), '}'),

    matcher: $ => seq(
      field('label', $._any_name),
      choice(
        seq(field('operator', choice('=', '!=', '==')), field('value', choice($.plain_string, $.identifier))),
        // The language also accepts a name here (a template parameter holding the pattern).
        seq(field('operator', choice('=~', '!~')), field('value', choice(alias($.plain_string, $.regex), $.identifier))),
      ),
    ),

    call: $ => seq(
      field('function', choice($.identifier, alias('changes', $.identifier))),
      $.arguments,
      optional(seq('by', '(', commaSep(field('label', $._any_name)), ')')),
    ),

    arguments: $ => seq('(', commaSep($.argument), ')'),

    argument: $ => seq(
      optional(seq(field('name', $._any_name), ':')),
      field('value', $._expression),
      optional(seq('over', field('window', $._expression))),
    ),

    // ------------------------------------------------------------ names and literals

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/,

    // Any word, keywords included: label names, named arguments, record keys.
    _any_name: $ => choice($.identifier, ...KEYWORDS.map(k => alias(k, $.identifier))),

    // A number with an optional unit and rate suffix: 5, 0.5, 1e6, 20%, 1.5GiB, 10m, 10MB/s, 100/s.
    quantity: $ => seq($._number, optional($._rate_suffix)),
    _number: _ => /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?([A-Za-z]+|%)?/,

    ordinal: _ => token(prec(1, /[0-9]+(st|nd|rd|th)/)),

    time: _ => token(prec(2, /[0-9][0-9]?:[0-9][0-9]/)),

    // A template string: `{name}` interpolation, `{{` and `}}`, backslash escapes.
    string: $ => seq(
      '"',
      repeat(choice($.string_content, $.escape_sequence, $.interpolation)),
      token.immediate('"'),
    ),

    string_content: _ => token.immediate(prec(1, /[^"\\{}\n]+/)),

    escape_sequence: _ => token.immediate(prec(1, choice(/\\[^\n]/, '{{', '}}'))),

    interpolation: $ => seq(token.immediate('{'), field('name', $.identifier), '}'),

    // A plain string (matcher values, regexes, time zones, cron schedules):
    // braces and backslashes are literal, except `\"` and `\\`.
    plain_string: _ => token(seq('"', repeat(choice(/[^"\\\n]/, /\\[^\n]/)), '"')),

    comment: _ => token(seq('//', /[^\n]*/)),
  },
});
