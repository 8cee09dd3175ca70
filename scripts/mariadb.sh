#!/usr/bin/env bash
# A private MariaDB for tests and benchmarks: loopback only, with its own data directory, port,
# socket and configuration file (nothing of the system's MariaDB set-up is used or touched).
#
#   scripts/mariadb.sh start     install the data directory on first use, start, create the
#                                application user and database, print the URL (idempotent)
#   scripts/mariadb.sh stop      clean shutdown (idempotent)
#   scripts/mariadb.sh restart   stop, then start (the data is kept)
#   scripts/mariadb.sh url       print the URL for --db / LOYALTY_TEST_MYSQL_URL
#   scripts/mariadb.sh status    exit 0 when it answers
#
# Environment: LOYALTY_MARIADB_DIR (default /tmp/loyalty-mariadb; never inside the repository),
# LOYALTY_MARIADB_PORT (33306), LOYALTY_MARIADB_USER (loyalty), LOYALTY_MARIADB_PASSWORD
# (loyalty-test), LOYALTY_MARIADB_DB (loyalty).
# The application user may create and drop the databases whose names start with "loyalty" (the
# tests make one per test). The password is a fixed one for this throw-away, loopback-only server.
set -euo pipefail

DIR=${LOYALTY_MARIADB_DIR:-/tmp/loyalty-mariadb}
PORT=${LOYALTY_MARIADB_PORT:-33306}
APP_USER=${LOYALTY_MARIADB_USER:-loyalty}
APP_PASSWORD=${LOYALTY_MARIADB_PASSWORD:-loyalty-test}
APP_DB=${LOYALTY_MARIADB_DB:-loyalty}
CNF="$DIR/my.cnf"
DATA="$DIR/data"
SOCK="$DIR/mysqld.sock"
PIDFILE="$DIR/mysqld.pid"
LOG="$DIR/error.log"

say() { echo "mariadb.sh: $*" >&2; }
die() { say "$*"; exit 1; }

url() { echo "mysql://$APP_USER:$APP_PASSWORD@127.0.0.1:$PORT/$APP_DB"; }

need_tools() {
  for t in mariadbd mariadb-install-db mariadb-admin mariadb; do
    command -v "$t" >/dev/null || [[ -x "/usr/sbin/$t" ]] ||
      die "$t not found: install mariadb-server (scripts/setup.sh --with-test-tools)"
  done
  PATH="$PATH:/usr/sbin"
}

write_config() {
  local user_line=""
  [[ $(id -u) -eq 0 ]] && user_line="user=mysql"
  cat >"$CNF" <<EOF
# Written by scripts/mariadb.sh: a private test server, loopback only.
[mysqld]
$user_line
datadir=$DATA
socket=$SOCK
pid-file=$PIDFILE
port=$PORT
bind-address=127.0.0.1
skip-name-resolve
log-error=$LOG
character-set-server=utf8mb4
collation-server=utf8mb4_bin
innodb_flush_log_at_trx_commit=1
sync_binlog=0
skip-log-bin
innodb_buffer_pool_size=256M
innodb_log_file_size=128M
max_connections=400
[client]
socket=$SOCK
port=$PORT
EOF
}

admin() { mariadb-admin --defaults-file="$CNF" --connect-timeout=2 "$@"; }
root_sql() { mariadb --defaults-file="$CNF" -uroot --batch --skip-column-names "$@"; }

# True while `pid` is a live mariadbd: not gone, not a reused pid, not an unreaped zombie.
alive() {
  [[ "$(cat "/proc/$1/comm" 2>/dev/null)" == mariadbd ]] &&
    [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]
}

server_pid() {
  [[ -s "$PIDFILE" ]] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" && echo "$pid"
}

running() { server_pid >/dev/null && admin ping >/dev/null 2>&1; }

install_data_dir() {
  if [[ -d "$DATA/mysql" ]]; then return 0; fi
  rm -rf "$DATA"  # a half-made directory from an interrupted first start
  say "installing a new data directory in $DATA"
  local user_opt=()
  [[ $(id -u) -eq 0 ]] && user_opt=(--user=mysql)
  mariadb-install-db --defaults-file="$CNF" "${user_opt[@]}" --skip-test-db \
    --auth-root-authentication-method=socket >"$DIR/install.log" 2>&1 ||
    { cat "$DIR/install.log" >&2; die "mariadb-install-db failed"; }
}

setup_user() {
  root_sql <<EOF
CREATE USER IF NOT EXISTS '$APP_USER'@'127.0.0.1' IDENTIFIED BY '$APP_PASSWORD';
CREATE USER IF NOT EXISTS '$APP_USER'@'localhost' IDENTIFIED BY '$APP_PASSWORD';
ALTER USER '$APP_USER'@'127.0.0.1' IDENTIFIED BY '$APP_PASSWORD';
ALTER USER '$APP_USER'@'localhost' IDENTIFIED BY '$APP_PASSWORD';
GRANT ALL PRIVILEGES ON \`loyalty%\`.* TO '$APP_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`loyalty%\`.* TO '$APP_USER'@'localhost';
CREATE DATABASE IF NOT EXISTS \`$APP_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
EOF
}

start() {
  need_tools
  mkdir -p "$DIR"
  [[ $(id -u) -eq 0 ]] && chown mysql:mysql "$DIR"
  write_config
  if running; then
    setup_user
    say "already running on 127.0.0.1:$PORT (data $DATA)"
    url
    return 0
  fi
  if server_pid >/dev/null; then  # alive but not answering: give it a moment (still starting?)
    for _ in $(seq 1 100); do admin ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  if ! running; then
    if ! server_pid >/dev/null; then rm -f "$PIDFILE" "$SOCK" "$SOCK.lock"; fi  # stale
    install_data_dir
    # setsid: the server outlives this script and is not hit by the caller's Ctrl-C.
    setsid mariadbd --defaults-file="$CNF" >>"$DIR/mariadbd.out" 2>&1 </dev/null 9>&- &
    local launched=$!
    for _ in $(seq 1 300); do
      admin ping >/dev/null 2>&1 && break
      if ! alive "$launched" && ! server_pid >/dev/null; then
        tail -n 30 "$LOG" >&2 || true
        die "mariadbd exited during start-up (log: $LOG)"
      fi
      sleep 0.1
    done
    running || { tail -n 30 "$LOG" >&2 || true; die "mariadbd did not answer within 30 s"; }
  fi
  setup_user
  say "running on 127.0.0.1:$PORT (data $DATA, log $LOG)"
  url
}

stop() {
  need_tools
  local pid
  if ! pid=$(server_pid); then
    rm -f "$PIDFILE" "$SOCK" "$SOCK.lock"
    say "not running"
    return 0
  fi
  [[ -f "$CNF" ]] && admin shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    say "mariadbd ($pid) did not stop within 30 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$SOCK" "$SOCK.lock"
  say "stopped"
}

cmd=${1:-}
case "$cmd" in
  start | stop | restart)
    mkdir -p "$DIR"
    exec 9>"$DIR/.script.lock"
    flock 9  # one start/stop at a time
    case "$cmd" in
      start) start ;;
      stop) stop ;;
      restart) stop; start ;;
    esac
    ;;
  url) url ;;
  status) need_tools; [[ -f "$CNF" ]] && running ;;
  *) echo "usage: scripts/mariadb.sh start|stop|restart|url|status" >&2; exit 2 ;;
esac
