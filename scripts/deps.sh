#!/bin/sh
# Installs the Debian packages that building and testing DriftDB need, if
# any is missing.  Called by `make run` and `make test`.
set -u
pkgs="build-essential liblmdb-dev libzstd-dev libmicrohttpd-dev libpcre2-dev libssl-dev libedit-dev libsqlite3-dev pkg-config postgresql-client python3-psycopg2 libpq-dev python3-psycopg python3-asyncpg python3-sqlalchemy python3-alembic libpostgresql-jdbc-java postgresql-15 tmux"
[ "${1:-}" = fuzz ] && pkgs="clang libclang-rt-14-dev liblmdb-dev libzstd-dev libssl-dev libpcre2-dev"  # make fuzz: clang with libFuzzer
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends $missing
