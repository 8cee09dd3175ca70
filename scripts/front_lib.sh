# Helpers for scripts/front_test.sh and scripts/bench_front.sh (sourced, not run): a `loyalty
# serve` on a temporary database, and nginx in front of it with deploy/nginx/loyalty.conf, all
# as the current user in one temporary directory. The caller sets `work` (that directory) and
# `pids` (an array), and kills "${pids[@]}" on exit.

front_nginx_bin() {  # nginx is in /usr/sbin, often outside a non-root PATH
  command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true
}

front_free_port() {
  local port=$((20000 + RANDOM % 30000))
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# front_start_server NAME LOYALTY_BINARY [serve flags...]: sets <NAME>_url, <NAME>_key (checkout),
# <NAME>_pid.
front_start_server() {
  local name=$1 bin=$2
  shift 2
  "$bin" serve --demo --db "$work/$name.db" --port 0 "$@" >"$work/$name.out" 2>"$work/$name.err" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do
    grep -q '^  checkout' "$work/$name.out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q '^  checkout' "$work/$name.out" 2>/dev/null; then
    echo "front: loyalty serve ($name) did not start:" >&2
    cat "$work/$name.out" "$work/$name.err" >&2
    return 1
  fi
  printf -v "${name}_url" '%s' "$(grep -o 'http://[0-9.:]*' "$work/$name.out" | head -1)"
  printf -v "${name}_key" '%s' "$(awk '$1 == "checkout" {print $2}' "$work/$name.out")"
  printf -v "${name}_pid" '%s' "$pid"
}

# True when `loyalty serve --help` lists FLAG.
front_server_has_flag() { "$1" serve --help 2>/dev/null | grep -q -- "$2"; }

# front_start_nginx UPSTREAM_PORT WORKER_PROCESSES: renders the shipped site config with this
# run's ports and paths (the directives stay as shipped), a self-signed certificate, a minimal
# nginx.conf around it; sets nginx_port and nginx_pid.
front_start_nginx() {
  local upstream_port=$1 workers=$2 nginx
  nginx=$(front_nginx_bin)
  [[ -n "$nginx" ]] || { echo "front: nginx not installed (scripts/setup.sh --with-test-tools)" >&2; return 1; }
  local dir="$work/nginx"
  mkdir -p "$dir/tmp" "$dir/logs"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost \
    -keyout "$dir/loyalty.key" -out "$dir/loyalty.crt" 2>/dev/null
  for _ in 1 2 3 4 5; do
    nginx_port=$(front_free_port)
    sed -e "s|listen 443 ssl;|listen 127.0.0.1:$nginx_port ssl;|" \
        -e "s|server 127.0.0.1:8080;|server 127.0.0.1:$upstream_port;|" \
        -e "s|/etc/ssl/certs/loyalty.crt|$dir/loyalty.crt|" \
        -e "s|/etc/ssl/private/loyalty.key|$dir/loyalty.key|" \
        -e "s|/var/log/nginx/|$dir/logs/|" \
        deploy/nginx/loyalty.conf >"$dir/loyalty.conf"
    cat >"$dir/nginx.conf" <<EOF
worker_processes $workers;
worker_rlimit_nofile 16384;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 8192; }
http {
  default_type application/octet-stream;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  include $dir/loyalty.conf;
}
EOF
    "$nginx" -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" -g 'daemon off;' \
      >"$dir/logs/stdout" 2>&1 &
    nginx_pid=$!
    pids+=("$nginx_pid")
    for _ in $(seq 1 50); do
      curl -sk -o /dev/null "https://127.0.0.1:$nginx_port/healthz" && return 0
      kill -0 "$nginx_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  done
  echo "front: nginx did not start:" >&2
  cat "$dir/logs/error.log" "$dir/logs/stdout" >&2 2>/dev/null
  return 1
}

# A number from front_attack's JSON line: front_json_num LINE KEY (the first "KEY":N).
front_json_num() { { grep -o "\"$2\":-\?[0-9]*" <<<"$1" || true; } | head -1 | cut -d: -f2; }
