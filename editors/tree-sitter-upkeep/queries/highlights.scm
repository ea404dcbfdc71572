; Highlights for Upkeep.
;
; Portable on purpose: only the #eq?, #match? and #any-of? predicates, and
; capture names that Neovim, Helix and Zed all know. Highlighters disagree
; about which of two patterns matching the same node wins (tree-sitter-highlight
; and Helix take the first, Neovim the last), so patterns are written not to
; overlap; where two must (built-in functions and `now`, which are ordinary
; names to the grammar), the specific pattern comes both before and after the
; general one. tests/highlights.rs checks both readings.

; ---------------------------------------------------------------- built-ins, first reading

((call function: (identifier) @function.builtin)
  (#any-of? @function.builtin
    "avg" "min" "max" "sum" "count" "last" "first" "stddev" "quantile" "rate" "increase"
    "delta" "deriv" "changes" "count_true" "ratio_true" "ewma" "predict" "time_until" "abs"))

((variable) @variable.builtin
  (#eq? @variable.builtin "now"))

; ---------------------------------------------------------------- declarations

(tenant_declaration name: (identifier) @module)
(use_declaration path: (identifier) @module)
(use_declaration name: (identifier) @variable)

(metric_declaration name: (identifier) @type)
(metric_declaration kind: (identifier) @type.builtin)
(label_declaration name: (identifier) @property)
(label_declaration source: (identifier) @property)
(unit_declaration name: (identifier) @type)
(fleet_declaration name: (identifier) @type)
(calendar_declaration name: (identifier) @type)
(calendar_spec nth: (identifier) @constant)
(calendar_spec day: (identifier) @constant)

(action_declaration name: (identifier) @function)
(fn_declaration name: (identifier) @function)
(policy_declaration name: (identifier) @function)
(task_declaration name: (identifier) @function)
(test_declaration name: (identifier) @function)

(parameter name: (identifier) @variable.parameter)
(type name: (identifier) @type)
(unit_name) @type

; ---------------------------------------------------------------- references

(policy_declaration fleet: (identifier) @type)
(task_declaration fleet: (identifier) @type)
(apply_declaration fleet: (identifier) @type)
(apply_declaration policy: (identifier) @function.call)
(depends_clause policy: (identifier) @function.call)
(depends_clause label: (identifier) @property)
(quiet_clause calendar: (identifier) @type)
(pause_clause calendar: (identifier) @type)
(during_clause calendar: (identifier) @type)

; Levels (info, warn, crit and any a policy declares) and instance states.
(level_clause level: (identifier) @constant)
(on_clause level: (identifier) @constant)
(nodata_clause outcome: (identifier) @constant)
(expect_item level: (identifier) @constant)
(expect_item state: (identifier) @constant.builtin)
(expect_item action: (identifier) @function.call)

(let_clause name: (identifier) @variable)
(action_call action: (identifier) @function.call)
(call function: (identifier) @function.call)
(call label: (identifier) @property)
(argument name: (identifier) @variable.parameter)
(field key: (identifier) @property)
(selector metric: (identifier) @variable)
(series_item metric: (identifier) @variable)
(matcher label: (identifier) @property)
(matcher value: (identifier) @variable)
(interpolation name: (identifier) @variable)
(variable) @variable

; ---------------------------------------------------------------- literals

(comment) @comment
(string) @string
(plain_string) @string
(regex) @string.regexp
(escape_sequence) @string.escape
(interpolation) @string.special
(quantity) @number
(ordinal) @number
(time) @number
(boolean) @boolean

; ---------------------------------------------------------------- keywords

; Every reserved word is listed once in this section (tests/keywords.rs checks).
"use" @keyword.import
"fn" @keyword.function
["if" "then" "else"] @keyword.conditional
["and" "or" "not"] @keyword.operator
["true" "false"] @boolean

[
  "tenant" "metric" "unit" "fleet" "calendar" "action" "policy" "apply" "task" "test" "from"
  "lookback" "on" "every" "jitter" "let" "when" "for" "checks" "of" "recover" "keep" "nodata"
  "flapping" "changes" "message" "labels" "escalate" "after" "quiet" "pause" "during" "depends"
  "timeout" "retry" "backoff" "verify" "within" "cooldown" "at" "most" "per" "concurrency" "dry"
  "run" "in" "over" "by" "hosts" "where" "daily" "weekly" "monthly" "cron" "exec" "webhook" "body"
  "notify" "series" "expect" "no"
] @keyword

; ---------------------------------------------------------------- operators and punctuation

[
  "=" "==" "!=" "<" "<=" ">" ">=" "=~" "!~" "+" "-" "*" "/" "^" "=>" "->" ".."
] @operator

["(" ")" "[" "]" "{" "}"] @punctuation.bracket
["," ":" "."] @punctuation.delimiter

; ---------------------------------------------------------------- built-ins, second reading

((call function: (identifier) @function.builtin)
  (#any-of? @function.builtin
    "avg" "min" "max" "sum" "count" "last" "first" "stddev" "quantile" "rate" "increase"
    "delta" "deriv" "changes" "count_true" "ratio_true" "ewma" "predict" "time_until" "abs"))

((variable) @variable.builtin
  (#eq? @variable.builtin "now"))
