#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks.
#
#   scripts/postgres.sh start   # initdb + start in a temporary directory, print the URL
#   scripts/postgres.sh url     # print the URL of the running cluster
#   scripts/postgres.sh stop    # stop it and remove its directory
#
# The cluster listens only on a unix socket in its own directory (no TCP), with
# fsync=off, trust authentication and a superuser named odq; its state lives in
# $ODQ_PG_DIR (default /tmp/odq-pg-<uid>). initdb refuses to run as root, so as root the
# server runs as an unprivileged user (postgres when it exists, else nobody). When the
# binaries are missing, `apt-get install -y postgresql` installs them.
set -euo pipefail

dir="${ODQ_PG_DIR:-/tmp/odq-pg-$(id -u)}"

find_bin() {
  local found
  if command -v initdb >/dev/null 2>&1; then
    found=$(dirname "$(readlink -f "$(command -v initdb)")")
    if [ -x "$found/pg_ctl" ] && [ -x "$found/createdb" ]; then
      echo "$found"
      return
    fi
  fi
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$found" ] && [ -x "$found/initdb" ]; then
    echo "$found"
  fi
}

ensure_binaries() {
  local bin
  bin=$(find_bin)
  if [ -z "$bin" ]; then
    echo "postgres.sh: PostgreSQL is not installed; installing it (apt-get install -y postgresql)" >&2
    if [ "$(id -u)" -ne 0 ]; then
      echo "postgres.sh: need root to install PostgreSQL" >&2
      exit 2
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin=$(find_bin)
  fi
  if [ -z "$bin" ]; then
    echo "postgres.sh: no initdb found after installing" >&2
    exit 2
  fi
  echo "$bin"
}

# Runs a command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    local user=nobody
    if id postgres >/dev/null 2>&1; then user=postgres; fi
    if command -v setpriv >/dev/null 2>&1; then
      local uid gid
      uid=$(id -u "$user"); gid=$(id -g "$user")
      setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"
    else
      runuser -u "$user" -- "$@"
    fi
  else
    "$@"
  fi
}

owner() {
  if [ "$(id -u)" -eq 0 ]; then
    if id postgres >/dev/null 2>&1; then echo postgres; else echo nobody; fi
  else
    id -un
  fi
}

free_port() {
  local port
  for port in $(seq 54320 54420); do
    if [ ! -e "/tmp/.s.PGSQL.$port" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "postgres.sh: no free port in 54320-54420" >&2
  exit 2
}

url() {
  local port
  port=$(cat "$dir/port")
  local socket="${dir//\//%2F}%2Fsocket"
  echo "postgres://odq@$socket:$port/odq"
}

case "${1:-}" in
  start)
    if [ -f "$dir/port" ] && [ -f "$dir/data/postmaster.pid" ]; then
      url
      exit 0
    fi
    bin=$(ensure_binaries)
    rm -rf "$dir"
    mkdir -p "$dir/socket"
    chmod 755 "$dir"
    chown -R "$(owner)" "$dir"
    port=$(free_port)
    echo "$port" > "$dir/port"
    as_owner "$bin/initdb" -D "$dir/data" -U odq --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || as_owner "$bin/initdb" -D "$dir/data" -U odq --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir/socket' -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=20" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h "$dir/socket" -p "$port" -U odq odq
    url
    ;;
  url)
    url
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      bin=$(find_bin)
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|url|stop" >&2
    exit 2
    ;;
esac
