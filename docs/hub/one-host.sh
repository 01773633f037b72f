#!/usr/bin/env bash
# A Peer Learning Paths course on one host: JupyterHub, each learner's server running as their own
# Unix user, configurable-http-proxy, the peerkit service and nbgrader's course service. Run as root:
#
#   PEERKIT_DB=postgresql://peerkit:secret@127.0.0.1/peerkit \
#     docs/hub/one-host.sh install --facilitator fiona --learner alice --learner bob
#   docs/hub/one-host.sh start      # the hub, its proxy and both services; returns once the hub answers
#   docs/hub/one-host.sh status
#   docs/hub/one-host.sh stop       # the hub, the proxy, the services and every learner's server
#   docs/hub/one-host.sh upgrade    # after stop and a backup: peerkit from this checkout, then the store
#
# `install` can be run again (to add learners, say); it changes nothing that is already there, and
# never upgrades peerkit (`upgrade` does, docs/upgrade.md). It creates, as the guide
# (docs/deploy-jupyterhub.md) explains:
#
#   /opt/peerkit/venv                  peerkit[hub] from this checkout (or PEERKIT_PYTHON's environment)
#   /opt/peerkit/proxy                 configurable-http-proxy from npm, unless one is on PATH
#   /srv/peerkit                       the course folder (`peerkit init`): course/course.yml, notebooks/
#   /srv/nbgrader/<course id>          nbgrader's course root: gradebook, source, release
#   /srv/nbgrader/exchange             nbgrader's exchange, shared by every learner (mode 0777)
#   /srv/jupyterhub                    the hub's state: database, cookie secret, pid files, log
#   /etc/jupyterhub/jupyterhub_config.py    this host's hub; loads peerkit_hub_config.py (a copy of
#                                      docs/hub/jupyterhub_config.py) and, if present, jupyterhub_site.py
#   /etc/jupyterhub/peerkit.env        the settings `start` hands the hub (mode 0600: the database URL)
#   /etc/jupyter/nbgrader_config.py    the learners' nbgrader settings (docs/hub/nbgrader_config.py)
#   one Unix user per facilitator and learner, with a home folder
#
# Settings, from the environment of `install`:
#   PEERKIT_DB           the peerkit store (PostgreSQL URL); required
#   PEERKIT_PUBLIC_URL   the address learners' browsers use (default http://<host name>:<port>)
#   PEERKIT_BIND         the address the proxy listens on (default: every interface); `start` waits
#                        for the hub there (127.0.0.1 when it is every interface)
#   PEERKIT_HUB_PORT     the proxy's public port (default 8000)
#   PEERKIT_STEWARD_INTERVAL  seconds between two looks of rolling review in the peerkit service (default 5)
#   PEERKIT_AUTH_CACHE   seconds the peerkit service trusts the hub's word about a token, for reads (default 30)
#   PEERKIT_PYTHON       a Python that already has peerkit[hub] (default: make /opt/peerkit/venv)
#   PEERKIT_PACKAGE      what pip installs into that venv (default: this checkout, with [hub]); also
#                        read by `upgrade`, from its own environment (it is not saved)
#   PEERKIT_PROXY        the configurable-http-proxy command (default: on PATH, else npm install)
#   PEERKIT_PREFIX       a root for every folder above, and for the home folders (default: /)
#   PEERKIT_HUB_API_PORT, PEERKIT_PROXY_API_PORT, PEERKIT_SERVICE_PORT, PEERKIT_COURSE_PORT
#                        internal ports (defaults 8081, 8001, 10101, 10102)
#
# The hub logs in with PAM (the Unix users' passwords). A site's own settings (another authenticator,
# admin users) go in /etc/jupyterhub/jupyterhub_site.py, which install never touches. The proxy speaks
# plain HTTP: end TLS in front of it (a reverse proxy, with PEERKIT_BIND=127.0.0.1).
#
# Stopping leaves nothing behind: `stop` asks the hub to shut down (it stops the learners' servers,
# the services and the proxy it started: cleanup_servers and cleanup_proxy), then ends any process
# still marked with this hub's PEERKIT_ONE_HOST variable, which the hub, the proxy, the services, the
# learners' servers and their kernels all carry, even if the hub itself died.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHECKOUT=$(cd "$HERE/../.." && pwd)
PREFIX=${PEERKIT_PREFIX:-}
PREFIX=${PREFIX%/}
OPT=$PREFIX/opt/peerkit
SRV=$PREFIX/srv
ETC_HUB=$PREFIX/etc/jupyterhub
LEARNER_CONFIG=$PREFIX/etc/jupyter
STATE=$SRV/jupyterhub
HOMES=$PREFIX/home
COURSE_FOLDER=$SRV/peerkit
ENV_FILE=$ETC_HUB/peerkit.env
PID_FILE=$STATE/one-host.pid
LOG=$STATE/jupyterhub.log

say() { printf 'one-host: %s\n' "$*"; }
fail() { printf 'one-host: %s\n' "$*" >&2; exit 1; }

need_root() {
    [ "$(id -u)" -eq 0 ] || fail "run as root: the hub starts each learner's server as that learner's Unix user"
}

# -- install ----------------------------------------------------------------------------------------

install_python() {
    if [ -n "${PEERKIT_PYTHON:-}" ]; then
        "$PEERKIT_PYTHON" -c "import peerkit, jupyterhub" 2>/dev/null \
            || fail "PEERKIT_PYTHON=$PEERKIT_PYTHON has no peerkit[hub]: pip install 'peerkit[hub]' into it"
        BIN=$(dirname "$PEERKIT_PYTHON")
    else
        BIN=$OPT/venv/bin
        if [ ! -x "$BIN/peerkit" ]; then
            say "installing peerkit into $OPT/venv"
            python3 -m venv "$OPT/venv"
            "$BIN/pip" install --quiet "${PEERKIT_PACKAGE:-$CHECKOUT[hub]}"
        fi
    fi
    for command in python jupyterhub peerkit peerkit-singleuser peerkit-course-service jupyterhub-singleuser; do
        [ -x "$BIN/$command" ] || fail "$BIN/$command is missing: reinstall peerkit[hub] there"
    done
}

install_proxy() {
    if [ -n "${PEERKIT_PROXY:-}" ]; then
        PROXY=$PEERKIT_PROXY
    elif command -v configurable-http-proxy >/dev/null; then
        PROXY=$(command -v configurable-http-proxy)
    else
        PROXY=$OPT/proxy/node_modules/.bin/configurable-http-proxy
        if [ ! -x "$PROXY" ]; then
            say "installing configurable-http-proxy into $OPT/proxy"
            command -v npm >/dev/null || fail "npm is missing: install Node.js, or set PEERKIT_PROXY"
            npm install --silent --prefix "$OPT/proxy" configurable-http-proxy
        fi
    fi
    [ -x "$PROXY" ] || fail "configurable-http-proxy not found at $PROXY"
}

add_user() {
    local user=$1
    [[ $user =~ ^[a-z_][a-z0-9_-]*$ ]] || fail "$user: not a Unix user name (lower-case letters, digits, - and _)"
    if ! id -u "$user" >/dev/null 2>&1; then
        useradd --create-home --home-dir "$HOMES/$user" --shell /bin/bash "$user"
        say "created the Unix user $user (home $HOMES/$user; give them a password with passwd $user)"
    fi
}

join() { local IFS=,; printf '%s' "$*"; }

cmd_install() {
    local facilitators=() learners=()
    while [ $# -gt 0 ]; do
        case $1 in
            --facilitator) facilitators+=("${2:?--facilitator needs a user name}"); shift 2 ;;
            --learner) learners+=("${2:?--learner needs a user name}"); shift 2 ;;
            *) fail "install: unknown option $1 (use --facilitator NAME and --learner NAME, each repeatable)" ;;
        esac
    done
    [ -n "${PEERKIT_DB:-}" ] || fail "set PEERKIT_DB to the peerkit store, e.g. postgresql://peerkit:secret@127.0.0.1/peerkit"
    need_root
    install_python
    install_proxy

    install -d -m 0755 "$SRV" "$SRV/nbgrader" "$ETC_HUB" "$LEARNER_CONFIG" "$HOMES"
    install -d -m 0700 "$STATE"
    install -d -m 0777 "$SRV/nbgrader/exchange"
    [ -f "$COURSE_FOLDER/course/course.yml" ] || "$BIN/peerkit" init "$COURSE_FOLDER"
    local course_file=$COURSE_FOLDER/course/course.yml course
    course=$("$BIN/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["id"])' "$course_file")
    install -d -m 0755 "$SRV/nbgrader/$course"
    install -m 0644 "$HERE/jupyterhub_config.py" "$ETC_HUB/peerkit_hub_config.py"
    install -m 0644 "$HERE/nbgrader_config.py" "$LEARNER_CONFIG/nbgrader_config.py"

    local user
    for user in "${facilitators[@]}" "${learners[@]}"; do add_user "$user"; done
    # Users of an earlier install stay enrolled.
    if [ -f "$ENV_FILE" ]; then
        # shellcheck disable=SC1090
        local old_f old_l; old_f=$(. "$ENV_FILE"; echo "$PEERKIT_FACILITATORS"); old_l=$(. "$ENV_FILE"; echo "$PEERKIT_LEARNERS")
        IFS=, read -r -a old <<<"$old_f"; for user in "${old[@]}"; do [[ " ${facilitators[*]} " == *" $user "* ]] || facilitators+=("$user"); done
        IFS=, read -r -a old <<<"$old_l"; for user in "${old[@]}"; do [[ " ${learners[*]} " == *" $user "* ]] || learners+=("$user"); done
    fi

    local port=${PEERKIT_HUB_PORT:-8000}
    umask 077
    {
        printf 'PEERKIT_BIN=%q\n' "$BIN"
        printf 'PEERKIT_DB=%q\n' "$PEERKIT_DB"
        printf 'PEERKIT_COURSE_FILE=%q\n' "$course_file"
        printf 'PEERKIT_COURSE_ROOT=%q\n' "$SRV/nbgrader/$course"
        printf 'PEERKIT_EXCHANGE=%q\n' "$SRV/nbgrader/exchange"
        printf 'PEERKIT_LEARNER_CONFIG=%q\n' "$LEARNER_CONFIG"
        printf 'PEERKIT_PUBLIC_URL=%q\n' "${PEERKIT_PUBLIC_URL:-http://$(hostname -f 2>/dev/null || hostname):$port}"
        printf 'PEERKIT_SERVICE_PORT=%q\n' "${PEERKIT_SERVICE_PORT:-10101}"
        printf 'PEERKIT_COURSE_PORT=%q\n' "${PEERKIT_COURSE_PORT:-10102}"
        printf 'PEERKIT_FACILITATORS=%q\n' "$(join "${facilitators[@]}")"
        printf 'PEERKIT_LEARNERS=%q\n' "$(join "${learners[@]}")"
        printf 'PEERKIT_HUB_PORT=%q\n' "$port"
        printf 'PEERKIT_BIND=%q\n' "${PEERKIT_BIND:-}"
        # Settings of the peerkit service, which the hub hands on to it (jupyterhub_config.py).
        local setting
        for setting in PEERKIT_STEWARD_INTERVAL PEERKIT_AUTH_CACHE; do
            [ -z "${!setting:-}" ] || printf '%s=%q\n' "$setting" "${!setting}"
        done
    } >"$ENV_FILE"
    cat >"$ETC_HUB/jupyterhub_config.py" <<PY
# This host's JupyterHub, written by docs/hub/one-host.sh install (which rewrites it): put your own
# settings in $ETC_HUB/jupyterhub_site.py, loaded last.
import os

load_subconfig("$ETC_HUB/peerkit_hub_config.py")  # the course, its services, groups, roles, learners' servers
c = get_config()  # noqa: F821

c.JupyterHub.bind_url = "http://${PEERKIT_BIND:-}:$port"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:${PEERKIT_HUB_API_PORT:-8081}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:${PEERKIT_PROXY_API_PORT:-8001}"
c.ConfigurableHTTPProxy.command = ["$PROXY"]
c.ConfigurableHTTPProxy.pid_file = "$STATE/proxy.pid"
c.JupyterHub.db_url = "sqlite:///$STATE/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "$STATE/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "$STATE/jupyterhub.pid"

# Each learner's server runs as the learner's own Unix user, in their home folder.
c.JupyterHub.spawner_class = "localprocess"
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(os.environ["PEERKIT_FACILITATORS"].split(",") + os.environ["PEERKIT_LEARNERS"].split(",")) - {""}

# When the hub stops, so do the learners' servers, the services and the proxy it started.
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
# Every process of this hub carries PEERKIT_ONE_HOST, so that one-host.sh stop finds what is left.
MARK = os.environ["PEERKIT_ONE_HOST"]
c.Spawner.environment["PEERKIT_ONE_HOST"] = MARK
for service in c.JupyterHub.services:
    service.setdefault("environment", {})["PEERKIT_ONE_HOST"] = MARK

if os.path.exists("$ETC_HUB/jupyterhub_site.py"):
    load_subconfig("$ETC_HUB/jupyterhub_site.py")
PY
    chmod 0644 "$ETC_HUB/jupyterhub_config.py"
    say "installed course $course for $(join "${facilitators[@]}") (facilitating) and $(join "${learners[@]}"); now: $0 start"
}

# -- start, stop, status ----------------------------------------------------------------------------

load_settings() {
    [ -f "$ENV_FILE" ] || fail "$ENV_FILE is missing: run $0 install first"
    set -a
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    set +a
}

hub_pid() {
    local pid
    [ -f "$PID_FILE" ] && pid=$(cat "$PID_FILE") && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# The processes of this hub: every process whose environment holds PEERKIT_ONE_HOST=$STATE.
marked() {
    local environ pid
    for environ in /proc/[0-9]*/environ; do
        pid=${environ#/proc/}; pid=${pid%/environ}
        [ "$pid" = "$$" ] && continue
        # braces: a process gone since the glob, or one not ours to read, fails the redirection itself
        { tr '\0' '\n' <"$environ"; } 2>/dev/null | grep -qxF "PEERKIT_ONE_HOST=$STATE" && echo "$pid"
    done
    return 0
}

# The URL `start` polls until the hub answers: the proxy's own address, or this host's loopback when
# the proxy listens on every interface. A proxy bound to one address answers nowhere else.
hub_api_url() {
    local bind=${1:-} port=$2
    case $bind in
        "" | 0.0.0.0 | "::" | "[::]") bind=127.0.0.1 ;;
        \[*) ;;
        *:*) bind="[$bind]" ;;
    esac
    printf 'http://%s:%s/hub/api/\n' "$bind" "$port"
}

answers() {
    "$PEERKIT_BIN/python" - "$1" <<'PY'
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=5)
except Exception:
    sys.exit(1)
PY
}

cmd_start() {
    need_root
    load_settings
    if pid=$(hub_pid); then
        say "already running (pid $pid)"
        return 0
    fi
    [ -z "$(marked)" ] || fail "processes of an earlier hub are still running: $0 stop first"
    cd "$STATE"
    # Its own session: a terminal's Ctrl-C or hang-up does not reach the hub; stop does.
    PATH="$PEERKIT_BIN:$PATH" PEERKIT_ONE_HOST=$STATE \
        setsid "$PEERKIT_BIN/jupyterhub" -f "$ETC_HUB/jupyterhub_config.py" >>"$LOG" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    local url deadline=$((SECONDS + ${PEERKIT_START_TIMEOUT:-120}))
    url=$(hub_api_url "${PEERKIT_BIND:-}" "$PEERKIT_HUB_PORT")
    until answers "$url"; do
        if ! hub_pid >/dev/null || [ $SECONDS -ge $deadline ]; then
            tail -n 40 "$LOG" >&2
            cmd_stop >/dev/null
            fail "the hub did not start (log: $LOG)"
        fi
        sleep 0.5
    done
    say "JupyterHub is up at $PEERKIT_PUBLIC_URL (pid $(cat "$PID_FILE"), log $LOG)"
}

cmd_stop() {
    need_root
    local pid left deadline
    if pid=$(hub_pid); then
        kill -TERM "$pid"
        deadline=$((SECONDS + 60))
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.3; done
    fi
    left=$(marked)
    if [ -n "$left" ]; then
        say "ending what the hub left running: $(echo $left)"
        kill -TERM $left 2>/dev/null || true
        deadline=$((SECONDS + 10))
        while [ -n "$(marked)" ] && [ $SECONDS -lt $deadline ]; do sleep 0.3; done
        left=$(marked)
        [ -z "$left" ] || kill -KILL $left 2>/dev/null || true
    fi
    rm -f "$PID_FILE"
    say "stopped"
}

cmd_status() {
    local pid
    if pid=$(hub_pid); then
        say "running (pid $pid); processes: $(marked | wc -l)"
    else
        say "not running; processes left: $(marked | wc -l)"
        return 3
    fi
}

# -- upgrade ----------------------------------------------------------------------------------------

# `peerkit db current` or `peerkit db upgrade` on the store the peerkit service uses: PEERKIT_DB and the
# course file of the saved settings, as jupyterhub_config.py hands them to the service.
peerkit_db() {
    "$PEERKIT_BIN/peerkit" db "$1" --course "$PEERKIT_COURSE_FILE" --db "$PEERKIT_DB"
}

# Whether `upgrade` may go on, from `peerkit db current` of the peerkit installed now (its exit codes:
# docs/upgrade.md): on a store up to date (0) or behind (3); not on a store a newer peerkit has
# already upgraded (4), nor on one it cannot read (1). Nothing has been changed when it stops.
check_store() {
    local code=0
    peerkit_db current || code=$?
    case $code in
        0 | 3) return 0 ;;
        4) fail "the store is newer than the peerkit in $PEERKIT_BIN (above): a newer peerkit has already upgraded it;" \
            "nothing was changed. Install that release (or a later one) there with" \
            "\"$PEERKIT_BIN/python\" -m pip install -U 'PACKAGE', then run $0 upgrade again;" \
            "or restore the store's backup taken before that upgrade (docs/upgrade.md)" ;;
        *) fail "peerkit db current could not read the store (above; exit code $code); nothing was changed." \
            "Fix PEERKIT_DB in $ENV_FILE, or start the database, then run $0 upgrade again" ;;
    esac
}

cmd_upgrade() {
    need_root
    load_settings
    local pid package=${PEERKIT_PACKAGE:-$CHECKOUT[hub]}
    if pid=$(hub_pid); then
        fail "the hub is running (pid $pid): stop first: $0 stop"
    fi
    [ -z "$(marked)" ] || fail "processes of the hub are still running: stop first: $0 stop"
    # A peerkit from before `peerkit db` cannot check the store: the new one's `db upgrade` does.
    if "$PEERKIT_BIN/peerkit" db --help >/dev/null 2>&1; then
        check_store
    else
        say "the peerkit in $PEERKIT_BIN has no \`peerkit db\`: the new one checks the store as it upgrades it"
    fi
    if [ "$PEERKIT_BIN" = "$OPT/venv/bin" ]; then
        say "upgrading peerkit in $OPT/venv from $package"
        "$PEERKIT_BIN/python" -m pip install --quiet -U "$package"
    else
        # Like install, never pip into an environment it did not make.
        say "$PEERKIT_BIN is your own environment (PEERKIT_PYTHON): upgrade peerkit[hub] there yourself, first;" \
            "upgrading the store with the peerkit it has"
    fi
    # The hub's and the learners' configuration of this checkout, as install copies them.
    install -m 0644 "$HERE/jupyterhub_config.py" "$ETC_HUB/peerkit_hub_config.py"
    install -m 0644 "$HERE/nbgrader_config.py" "$LEARNER_CONFIG/nbgrader_config.py"
    peerkit_db upgrade || fail "the store was not upgraded (above): fix that before $0 start (docs/upgrade.md)"
    say "upgraded; now: $0 start"
}

# Sourced (by a test), it only defines the functions above.
[[ ${BASH_SOURCE[0]} == "$0" ]] || return 0

case ${1:-} in
    install) shift; cmd_install "$@" ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    upgrade) cmd_upgrade ;;
    *) fail "usage: $0 install --facilitator NAME --learner NAME... | start | stop | status | upgrade" ;;
esac
