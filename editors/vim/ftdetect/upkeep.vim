" Upkeep policy files.
autocmd BufRead,BufNewFile *.upk setfiletype upkeep
