_rtcjob() {
    local IFS=$' \t\n'
    local args cur prev cmd opts arg
    args=("${COMP_WORDS[@]}")
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    opts="-h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"

    case "$prev" in
        --output)
            COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
            return 0
            ;;
        --query)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --endpoint)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --region)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --profile)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --token)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --token-file)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --ak)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --sk)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --sk-file)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --project-id)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --security-token)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --timeout)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --connect-timeout)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --deadline)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --retries)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --proxy)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
        --ca-file)
            COMPREPLY=($(compgen -f -- "$cur"))
            return 0
            ;;
    esac

    args=("${args[@]:1}")
    for arg in "${args[@]}"; do
        case "$arg" in
            create-job)
                cmd="create-job"
                opts="$opts -h --help -V --version --params --room-id --user-id --is-record-audio --video-type --select-stream-type --max-idle-time --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            get-job)
                cmd="get-job"
                opts="$opts -h --help -V --version --jobs --concurrency --ordered --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            update-job)
                cmd="update-job"
                opts="$opts -h --help -V --version --params --jobs --concurrency --ordered --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            stop-job)
                cmd="stop-job"
                opts="$opts -h --help -V --version --jobs --concurrency --ordered --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            create-app)
                cmd="create-app"
                opts="$opts -h --help -V --version --params --app-name --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            list-apps)
                cmd="list-apps"
                opts="$opts -h --help -V --version --state --offset --limit --all --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            get-app)
                cmd="get-app"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            delete-app)
                cmd="delete-app"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            start-app)
                cmd="start-app"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            stop-app)
                cmd="stop-app"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            create-record-rule)
                cmd="create-record-rule"
                opts="$opts -h --help -V --version --params --record-formats --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            list-record-rules)
                cmd="list-record-rules"
                opts="$opts -h --help -V --version --offset --limit --all --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            get-record-rule)
                cmd="get-record-rule"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            update-record-rule)
                cmd="update-record-rule"
                opts="$opts -h --help -V --version --params --record-formats --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            delete-record-rule)
                cmd="delete-record-rule"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            get-auto-record)
                cmd="get-auto-record"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            update-auto-record)
                cmd="update-auto-record"
                opts="$opts -h --help -V --version --params --mode --record-rule-id --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            get-record-callback)
                cmd="get-record-callback"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            update-record-callback)
                cmd="update-record-callback"
                opts="$opts -h --help -V --version --params --url --auth-key --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            create-mix-job)
                cmd="create-mix-job"
                opts="$opts -h --help -V --version --params --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            get-mix-job)
                cmd="get-mix-job"
                opts="$opts -h --help -V --version --jobs --concurrency --ordered --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            update-mix-job)
                cmd="update-mix-job"
                opts="$opts -h --help -V --version --params --jobs --concurrency --ordered --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            stop-mix-job)
                cmd="stop-mix-job"
                opts="$opts -h --help -V --version --jobs --concurrency --ordered --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            remove-room)
                cmd="remove-room"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            remove-users)
                cmd="remove-users"
                opts="$opts -h --help -V --version --params --user-ids --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            list-obs-buckets)
                cmd="list-obs-buckets"
                opts="$opts -h --help -V --version --all --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            list-obs-bucket-objects)
                cmd="list-obs-bucket-objects"
                opts="$opts -h --help -V --version --bucket --prefix --type --location --all --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            update-obs-bucket-authority)
                cmd="update-obs-bucket-authority"
                opts="$opts -h --help -V --version --params --bucket --operation --location --body-project-id --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            update)
                cmd="update"
                opts="$opts -h --help -V --version --rtmp-url --record-rule --params --jobs --concurrency --ordered --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            create)
                cmd="create"
                opts="$opts -h --help -V --version --room --user --video-type --stream-type --max-idle --no-audio --rtmp-url --record-rule --params --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            get)
                cmd="get"
                opts="$opts -h --help -V --version --jobs --concurrency --ordered --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            stop)
                cmd="stop"
                opts="$opts -h --help -V --version --jobs --concurrency --ordered --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            wait)
                cmd="wait"
                opts="$opts -h --help -V --version --state --wait-timeout --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            sign)
                cmd="sign"
                opts="$opts -h --help -V --version --body --body-file --header --canonical --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            configure)
                cmd="configure"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            join-signature)
                cmd="join-signature"
                opts="$opts -h --help -V --version --ttl --ctime --join --app-key-file --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            events)
                cmd="events"
                opts="$opts -h --help -V --version --auth-key-file --unsigned --max-age --no-max-age --rand --timestamp --signature --body-file --port --count --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            completion)
                cmd="completion"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            man)
                cmd="man"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
            help)
                cmd="help"
                opts="$opts -h --help -V --version --output --json --query --dry-run --debug --endpoint --region --profile --token --token-file --ak --sk --sk-file --project-id --security-token --timeout --connect-timeout --deadline --retries --proxy --ca-file --insecure"
                break
                ;;
        esac
    done

    case "$cmd" in
        '')
            COMPREPLY=($(compgen -W "create-job get-job update-job stop-job create-app list-apps get-app delete-app start-app stop-app create-record-rule list-record-rules get-record-rule update-record-rule delete-record-rule get-auto-record update-auto-record get-record-callback update-record-callback create-mix-job get-mix-job update-mix-job stop-mix-job remove-room remove-users list-obs-buckets list-obs-bucket-objects update-obs-bucket-authority update create get stop wait sign configure join-signature events completion man help" -- "$cur"))
            ;;
        'create-job')
            case "$prev" in
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --room-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --user-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --is-record-audio)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --video-type)
                    COMPREPLY=($(compgen -W "CAMERASTREAM SCREENSTREAM" -- "$cur"))
                    return 0
                    ;;
                --select-stream-type)
                    COMPREPLY=($(compgen -W "LD SD HD FHD" -- "$cur"))
                    return 0
                    ;;
                --max-idle-time)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'get-job')
            case "$prev" in
                --jobs)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --concurrency)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'update-job')
            case "$prev" in
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --jobs)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --concurrency)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'stop-job')
            case "$prev" in
                --jobs)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --concurrency)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'create-app')
            case "$prev" in
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --app-name)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'list-apps')
            case "$prev" in
                --state)
                    COMPREPLY=($(compgen -W "ACTIVATION DEACTIVATION ARREARS" -- "$cur"))
                    return 0
                    ;;
                --offset)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --limit)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'get-app')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'delete-app')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'start-app')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'stop-app')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'create-record-rule')
            case "$prev" in
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --record-formats)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'list-record-rules')
            case "$prev" in
                --offset)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --limit)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'get-record-rule')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'update-record-rule')
            case "$prev" in
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --record-formats)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'delete-record-rule')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'get-auto-record')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'update-auto-record')
            case "$prev" in
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --mode)
                    COMPREPLY=($(compgen -W "AUTO_RECORD_OFF AUTO_INDIVIDUAL_RECORD" -- "$cur"))
                    return 0
                    ;;
                --record-rule-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'get-record-callback')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'update-record-callback')
            case "$prev" in
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --url)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --auth-key)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'create-mix-job')
            case "$prev" in
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'get-mix-job')
            case "$prev" in
                --jobs)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --concurrency)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'update-mix-job')
            case "$prev" in
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --jobs)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --concurrency)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'stop-mix-job')
            case "$prev" in
                --jobs)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --concurrency)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'remove-room')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'remove-users')
            case "$prev" in
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --user-ids)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'list-obs-buckets')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'list-obs-bucket-objects')
            case "$prev" in
                --bucket)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --prefix)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --type)
                    COMPREPLY=($(compgen -W "folders objects" -- "$cur"))
                    return 0
                    ;;
                --location)
                    COMPREPLY=($(compgen -W "cn-north-4 cn-north-1 cn-north-5 cn-north-6 cn-south-1 cn-east-2" -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'update-obs-bucket-authority')
            case "$prev" in
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --bucket)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --operation)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --location)
                    COMPREPLY=($(compgen -W "cn-north-4 cn-north-1 cn-north-5 cn-north-6 cn-south-1 cn-east-2" -- "$cur"))
                    return 0
                    ;;
                --body-project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'update')
            case "$prev" in
                --rtmp-url)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --record-rule)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --jobs)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --concurrency)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'create')
            case "$prev" in
                --room)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --user)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --video-type)
                    COMPREPLY=($(compgen -W "CAMERASTREAM SCREENSTREAM" -- "$cur"))
                    return 0
                    ;;
                --stream-type)
                    COMPREPLY=($(compgen -W "LD SD HD FHD" -- "$cur"))
                    return 0
                    ;;
                --max-idle)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --rtmp-url)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --record-rule)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --params)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'get')
            case "$prev" in
                --jobs)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --concurrency)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'stop')
            case "$prev" in
                --jobs)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --concurrency)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'wait')
            case "$prev" in
                --state)
                    COMPREPLY=($(compgen -W "INIT RUNNING STOPPED" -- "$cur"))
                    return 0
                    ;;
                --wait-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'sign')
            case "$prev" in
                --body)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --body-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --header)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'configure')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'join-signature')
            case "$prev" in
                --ttl)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ctime)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --join)
                    COMPREPLY=($(compgen -W "+ " -- "$cur"))
                    return 0
                    ;;
                --app-key-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'events')
            case "$prev" in
                --auth-key-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --max-age)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --rand)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timestamp)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --signature)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --body-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --port)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --count)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'completion')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'man')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
        'help')
            case "$prev" in
                --output)
                    COMPREPLY=($(compgen -W "json ndjson text table yaml" -- "$cur"))
                    return 0
                    ;;
                --query)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --endpoint)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --region)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --profile)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --token-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ak)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --sk-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --project-id)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --security-token)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --connect-timeout)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --deadline)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --retries)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --proxy)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
                --ca-file)
                    COMPREPLY=($(compgen -f -- "$cur"))
                    return 0
                    ;;
            esac

            ;;
    esac

    if [[ "$cur" = -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
}

complete -F _rtcjob -o bashdefault -o default rtcjob
