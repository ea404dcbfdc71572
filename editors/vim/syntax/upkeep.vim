" Vim syntax file
" Language:   Upkeep policy language (*.upk)
" Maintainer: the Upkeep project
"
" Plain Vim, no plugins. Group names are asserted by editors/vim/test/run.vim.
" Where several items match at the same column, Vim takes the one defined
" last, so the order of the definitions below matters: general items first,
" the more specific ones after them.

if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
" The patterns below use \< and \> with Vim's default word characters, even
" where ftplugin/upkeep.vim adds `.` to 'iskeyword' for motions.
syn iskeyword @,48-57,_,192-255

" A whole word as the lexer reads it: names may contain dots (`disk.free`),
" so `policy.x` is a name, not the keyword `policy`.
let s:before = '\%([[:alnum:]_.]\)\@1<!'
let s:after = '\%([[:alnum:]_]\|\.\h\)\@!'
let s:name = '\h\w*\%(\.\h\w*\)*'
function! s:words(group, words) abort
  execute 'syn match ' . a:group . ' /' . s:before . '\%(' . join(a:words, '\|') . '\)' . s:after . '/'
endfunction

" ------------------------------------------------------------ calls, numbers

execute 'syn match upkeepFunctionCall /' . s:before . s:name . '\ze\s*(/'

syn match upkeepNumber   /\<\d\+\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\=\>/
" A number with a unit (20%, 1.5GiB) or a rate suffix touching it (10MB/s, 100/s).
syn match upkeepQuantity /\<\d\+\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\=\%(\%(%\|\a\+\)\%(\/\a\+\%([[:alnum:]_.]\)\@!\)\=\|\/\a\+\%([[:alnum:]_.]\)\@!\)\%(\w\)\@!/
syn match upkeepDuration /\<\d\+\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\=\%(ms\|min\|s\|m\|h\|d\|w\)\%([[:alnum:]_/]\)\@!/
syn match upkeepOrdinal  /\<\d\+\%(st\|nd\|rd\|th\)\>/
syn match upkeepTime     /\<\d\d\=:\d\d\>/

" ------------------------------------------------------------ declared names

execute 'syn match upkeepFunctionDecl /\%(\<\%(action\|fn\|policy\|task\|test\)\s\+\)\@<=' . s:name . '/'

" ------------------------------------------------------------ keywords

" Every reserved word of the language. A test
" (editors/tree-sitter-upkeep/tests/keywords.rs) keeps this list equal to
" KEYWORDS in grammar/src/token.rs: edit both together.
let s:keywords = [
      \ 'tenant', 'use', 'metric', 'unit', 'fleet', 'calendar', 'action', 'fn', 'policy', 'apply',
      \ 'task', 'test', 'from', 'lookback',
      \ 'on', 'every', 'jitter', 'let', 'when', 'for', 'checks', 'of', 'recover', 'keep', 'nodata',
      \ 'flapping', 'changes', 'message', 'labels', 'escalate', 'after', 'quiet', 'pause', 'during',
      \ 'depends',
      \ 'timeout', 'retry', 'backoff', 'verify', 'within', 'cooldown', 'at', 'most', 'per',
      \ 'concurrency', 'dry', 'run',
      \ 'and', 'or', 'not', 'if', 'then', 'else', 'in', 'over', 'by', 'true', 'false',
      \ 'hosts', 'where', 'daily', 'weekly', 'monthly', 'cron', 'exec', 'webhook', 'body', 'notify',
      \ 'series', 'expect', 'no',
      \ ]
call s:words('upkeepKeyword', s:keywords)
" Reserved words with a more specific group (all of them are in the list above).
call s:words('upkeepBoolean', ['true', 'false'])
call s:words('upkeepConditional', ['if', 'then', 'else'])
call s:words('upkeepLogical', ['and', 'or', 'not'])

" ------------------------------------------------------------ names with a meaning

call s:words('upkeepLevel', ['info', 'warn', 'crit'])
call s:words('upkeepState', ['ok', 'pending', 'firing', 'resolved', 'suppressed'])
call s:words('upkeepMetricKind', ['gauge', 'counter', 'state'])
call s:words('upkeepWeekday', ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
call s:words('upkeepNow', ['now'])
execute 'syn match upkeepBuiltin /' . s:before . '\%(avg\|min\|max\|sum\|count\|last\|first\|stddev'
      \ . '\|quantile\|rate\|increase\|delta\|deriv\|changes\|count_true\|ratio_true\|ewma\|predict'
      \ . '\|time_until\|abs\)\ze\s*(/'

" A record key, named argument or parameter: any word before `:`.
execute 'syn match upkeepProperty /' . s:before . s:name . '\ze\s*:/'

" `fleet` also ends `at most 10% of fleet`: a declaration needs its `=`.
execute 'syn match upkeepTypeDecl /\%(\<\%(metric\|unit\|calendar\)\s\+\)\@<=' . s:name . '/'
execute 'syn match upkeepTypeDecl /\%(\<fleet\s\+\)\@<=' . s:name . '\ze\s*=/'
execute 'syn match upkeepNamespace /\%(\<\%(tenant\|use\)\s\+\)\@<=' . s:name . '/'
execute 'syn match upkeepMetric /' . s:before . s:name . '\ze{/'

" ------------------------------------------------------------ operators

syn match upkeepOperator /=>\|->\|\.\.\|==\|!=\|<=\|>=\|[-+*\/^<>=]/

" ------------------------------------------------------------ strings

" A template string: escapes, `{name}` interpolation, `{{` and `}}`.
syn region upkeepString start=/"/ skip=/\\./ end=/"\|$/ contains=upkeepEscape,upkeepInterpolation,upkeepStringError
syn match upkeepStringError /\\.\|[{}]/ contained
syn match upkeepEscape /\\[ntr"\\]\|{{\|}}/ contained
syn match upkeepInterpolation /{\s*\h\w*\%(\.\h\w*\)*\s*}/ contained

" Plain strings: after `from`, `cron`, `in`, `unit`, as a record key and as a
" matcher value. Braces and backslashes are literal but for \" and \\.
syn region upkeepPlainString start=/\%(\<\%(from\|cron\|in\|unit\)\s\+\)\@<="/ skip=/\\[\\"]/ end=/"\|$/ contains=upkeepPlainEscape
syn region upkeepPlainString start=/"\ze\%([^"\\]\|\\.\)*"\s*:/ skip=/\\[\\"]/ end=/"/ contains=upkeepPlainEscape
syn region upkeepPlainString start=/"/ skip=/\\[\\"]/ end=/"\|$/ contains=upkeepPlainEscape contained
syn match upkeepPlainEscape /\\[\\"]/ contained

" ------------------------------------------------------------ label matchers

" `metric{label="v", label=~"re"}` (the brace touching the name) and
" `on {…}` in a test expectation.
syn region upkeepMatchers matchgroup=upkeepDelimiter start=/\%([[:alnum:]_]\)\@1<={/ start=/\%(\<on\s*\)\@<={/ end=/}/
      \ contains=upkeepLabel,upkeepMatchOp,upkeepMatchError,upkeepRegex,upkeepPlainString,upkeepComment
execute 'syn match upkeepLabel /' . s:before . s:name . '\ze\s*[=!]/ contained'
syn match upkeepMatchOp /=\~\|!\~\|!=\|=/ contained
syn match upkeepMatchError /==/ contained
syn region upkeepRegex start=/\%(\%(=\~\|!\~\)\s*\)\@<="/ skip=/\\./ end=/"\|$/ contained

" ------------------------------------------------------------ units

" `gauge<bytes>`, `number<bytes/s>`: the `<` touches the type's name.
syn region upkeepUnitParam matchgroup=upkeepDelimiter start=/\%([[:alnum:]_]\)\@1<=<\ze[^<>=]*>/ end=/>/ oneline
      \ contains=upkeepUnitName,upkeepNumber,upkeepOperator
execute 'syn match upkeepUnitName /' . s:name . '/ contained'

" ------------------------------------------------------------ comments

syn keyword upkeepTodo TODO FIXME XXX NOTE contained
syn match upkeepComment +//.*$+ contains=upkeepTodo,@Spell

" ------------------------------------------------------------ colours

hi def link upkeepComment       Comment
hi def link upkeepTodo          Todo
hi def link upkeepKeyword       Keyword
hi def link upkeepConditional   Conditional
hi def link upkeepLogical       Operator
hi def link upkeepBoolean       Boolean
hi def link upkeepOperator      Operator
hi def link upkeepMatchOp       Operator
hi def link upkeepDelimiter     Delimiter
hi def link upkeepNumber        Number
hi def link upkeepQuantity      Number
hi def link upkeepDuration      Number
hi def link upkeepOrdinal       Number
hi def link upkeepTime          Number
hi def link upkeepString        String
hi def link upkeepPlainString   String
hi def link upkeepRegex         String
hi def link upkeepEscape        SpecialChar
hi def link upkeepPlainEscape   SpecialChar
hi def link upkeepInterpolation Special
hi def link upkeepLevel         Constant
hi def link upkeepState         Constant
hi def link upkeepWeekday       Constant
hi def link upkeepNow           Special
hi def link upkeepMetricKind    Type
hi def link upkeepUnitName      Type
hi def link upkeepTypeDecl      Type
hi def link upkeepFunctionDecl  Function
hi def link upkeepFunctionCall  Function
hi def link upkeepBuiltin       Function
hi def link upkeepNamespace     Identifier
hi def link upkeepProperty      Identifier
hi def link upkeepLabel         Identifier
hi def link upkeepMetric        Identifier
hi def link upkeepStringError   Error
hi def link upkeepMatchError    Error

let b:current_syntax = 'upkeep'
let &cpo = s:cpo_save
unlet s:cpo_save
