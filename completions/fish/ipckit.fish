# fish completion for the ipckit commands, installed once per command as
# CMD.fish.  Options and their arguments come from `CMD --complete=spec`.

set -l cmd (basename (status filename) .fish)
if not command -q $cmd
    exit
end

# KEY= of the scenario file on the line (ipc-scenario --set)
function __ipckit_sets -a cmd
    for w in (commandline -opc)
        if string match -qr '\.ya?ml$' -- $w; and test -f $w
            $cmd --complete=sets:$w 2>/dev/null
            return
        end
    end
end

for line in ($cmd --complete=spec 2>/dev/null)
    set -l f (string split \t -- $line)
    if test "$f[1]" = positional
        switch $f[4]
            case refs
                complete -c $cmd -f -a "($cmd --complete=refs 2>/dev/null)"
            case files
                complete -c $cmd -F
            case 'words:*'
                # a fixed first word (ipc-mk's kinds, ipc-scenario's commands), then a name or path
                complete -c $cmd -f -n __fish_is_first_arg -a (string replace 'words:' '' -- $f[4])
        end
        continue
    end
    set -l args -c $cmd -l (string sub -s 3 -- $f[1]) -d "$f[5]"
    if test "$f[2]" != -
        set args $args -s (string sub -s 2 -- $f[2])
    end
    if test "$f[3]" != -
        set args $args -r
        switch $f[4]
            case kinds columns
                set args $args -f -a "($cmd --complete=$f[4] 2>/dev/null)"
            case refs
                set args $args -f -a "($cmd --complete=refs 2>/dev/null)"
            case users
                set args $args -f -a "(__fish_complete_users)"
            case sets
                set args $args -f -a "(__ipckit_sets $cmd)"
            case 'words:*'
                set args $args -f -a (string replace 'words:' '' -- $f[4])
        end
    end
    complete $args
end
