" Headless check of the Vim syntax file: for each row of
" editors/fixtures/expectations.tsv, every character of the row's text must
" be in the row's syntax group; then no valid `.upk` file of the repository
" may have a character in an error group. Run by editors/test.sh as
"   vim -es -N -u NONE -i NONE -S editors/vim/test/run.vim
" and writes its results to $UPKEEP_VIM_RESULTS (the last line is the count).

let s:editors = fnamemodify(resolve(expand('<sfile>:p')), ':h:h:h')
let s:results = []
let s:passed = 0
let s:failed = 0

function! s:Check(ok, what) abort
  if a:ok
    let s:passed += 1
  else
    let s:failed += 1
    call add(s:results, 'FAIL ' . a:what)
  endif
endfunction

execute 'set runtimepath^=' . fnameescape(s:editors . '/vim')
filetype plugin on
syntax on
execute 'edit ' . fnameescape(s:editors . '/fixtures/tokens.upk')
call s:Check(&filetype ==# 'upkeep', 'ftdetect: filetype of tokens.upk is "' . &filetype . '"')
call s:Check(get(b:, 'current_syntax', '') ==# 'upkeep', 'syntax/upkeep.vim is loaded')
call s:Check(&l:commentstring ==# '// %s', 'ftplugin/upkeep.vim is loaded')

for s:row in readfile(s:editors . '/fixtures/expectations.tsv')
  if s:row =~# '^#' || s:row ==# ''
    continue
  endif
  let [s:class, s:lnum, s:text, s:nth, s:textmate, s:group, s:treesitter] = split(s:row, "\t", 1)
  if s:group ==# '-'
    continue
  endif
  let s:line = getline(str2nr(s:lnum))
  let s:col = -1
  for s:i in range(str2nr(s:nth))
    let s:col = stridx(s:line, s:text, s:col + 1)
  endfor
  if s:col < 0
    call s:Check(0, printf('%s: "%s" #%s not on line %s', s:class, s:text, s:nth, s:lnum))
    continue
  endif
  let s:got = []
  for s:c in range(s:col + 1, s:col + len(s:text))
    let s:name = synIDattr(synID(str2nr(s:lnum), s:c, 1), 'name')
    if s:name !=# s:group && index(s:got, s:name) < 0
      call add(s:got, s:name)
    endif
  endfor
  call s:Check(empty(s:got), printf('%s: line %s "%s" should be %s, got %s',
        \ s:class, s:lnum, s:text, s:group, join(map(s:got, 'v:val ==# "" ? "(none)" : v:val'), ' | ')))
endfor

" Every valid .upk file of the repository: no character in an error group.
let s:repo = fnamemodify(s:editors, ':h')
for s:file in sort(globpath(s:repo, '**/*.upk', 0, 1))
  " Skipped: dependencies, build output, and files wrong on purpose (the
  " error corpus and the fuzzer's inputs).
  if s:file =~# '/\%(node_modules\|target\|\.git\)/' || s:file[len(s:repo):] =~# '^/\%(tests/corpus/err\|fuzz\)/'
    continue
  endif
  execute 'edit! ' . fnameescape(s:file)
  let s:bad = ''
  for s:lnum in range(1, line('$'))
    for s:c in range(1, len(getline(s:lnum)))
      let s:name = synIDattr(synID(s:lnum, s:c, 1), 'name')
      if s:name =~# 'Error$'
        let s:bad = printf('%s:%d:%d is in %s', fnamemodify(s:file, ':.'), s:lnum, s:c, s:name)
        break
      endif
    endfor
    if s:bad !=# ''
      break
    endif
  endfor
  call s:Check(&filetype ==# 'upkeep' && s:bad ==# '', s:bad !=# '' ? s:bad : s:file . ': filetype ' . &filetype)
endfor

call add(s:results, printf('vim syntax groups: %d passed, %d failed', s:passed, s:failed))
call writefile(s:results, $UPKEEP_VIM_RESULTS)
qall!
