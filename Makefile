# Rapport: the two commands are `make run` and `make test`. `make help` lists every target.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Finds a JDK 21+ (JAVA_HOME, the PATH, /usr/lib/jvm), adds the stand-ins of dev/bin (used only when a tool such as
# unzip is missing) and loads the local demo settings of dev/local.env.
ENV := JAVA_HOME="$$(dev/find-jdk.sh)"; export JAVA_HOME; export PATH="$$PATH:$$PWD/dev/bin"; . dev/env.sh; echo "Using the JDK at $$JAVA_HOME" >&2;
MVNW := ./mvnw -B -ntp -Dquarkus.analytics.disabled=true
BENCH ?= profile suppression desk channel
# The benchmarks run on a PostgreSQL of their own, sized for their data set (the distributions' default of 128 MB of
# shared buffers holds a tenth of it): BENCH_PG_PORT must be a port where no server answers yet.
BENCH_PG_PORT ?= 15432
BENCH_PG_SETTINGS ?= shared_buffers=2GB max_wal_size=4GB checkpoint_timeout=15min

.PHONY: help build run stop test bench status token clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Compile and package every module, without tests
	@$(ENV) $(MVNW) install -DskipTests

run: build ## Start PostgreSQL, Redis, Keycloak, the SMTP test server and the five services; print where they are
	@$(ENV) dev/stack.sh up

stop: ## Stop what `make run` started, and nothing else
	@$(ENV) dev/stack.sh down

test: ## Run every test of every module against real PostgreSQL, Redis and Keycloak (started if needed)
	@$(ENV) export RAPPORT_STACK_OWNER=test; \
	  trap 'dev/stack.sh down' EXIT; \
	  dev/stack.sh infra; \
	  export RAPPORT_REDIS_SERVER="$$(dev/stack.sh redis-server)"; \
	  $(MVNW) verify

bench: build ## Run the benchmarks (BENCH="profile suppression desk channel"; the first run loads 1M people), write bench/target/*.md
	@$(ENV) export RAPPORT_STACK_OWNER=bench RAPPORT_PORT_BASE=18180 RAPPORT_DB_SUFFIX=_bench \
	    RAPPORT_REDIS_URL=redis://127.0.0.1:6379/3 \
	    RAPPORT_DB_PORT=$(BENCH_PG_PORT) RAPPORT_PG_SETTINGS="$(BENCH_PG_SETTINGS)" RAPPORT_JAVA_OPTS="$(or $(BENCH_JAVA_OPTS),-Xmx1g)"; \
	  trap 'dev/stack.sh down' EXIT; \
	  dev/stack.sh infra; \
	  if [[ " $(BENCH) " == *" profile "* ]]; then \
	    RAPPORT_SERVICES=profile-service dev/stack.sh services; \
	    $(MVNW) -q -pl bench exec:java -Dbench.main=dev.rapport.bench.ProfileBench -Dexec.args="$(PROFILE_PHASES)"; \
	    dev/stack.sh services-down; \
	  fi; \
	  if [[ " $(BENCH) " == *" suppression "* ]]; then \
	    $(MVNW) -q -pl bench exec:java -Dbench.main=dev.rapport.bench.SuppressionBench -Dexec.args=prepare; \
	    RAPPORT_SERVICES="profile-service suppression-service" dev/stack.sh services; \
	    $(MVNW) -q -pl bench exec:java -Dbench.main=dev.rapport.bench.SuppressionBench \
	      -Dexec.args="$(SUPPRESSION_PHASES)"; \
	  fi; \
	  if [[ " $(BENCH) " == *" desk "* ]]; then \
	    RAPPORT_SERVICES="profile-service suppression-service service-desk-bridge" dev/stack.sh services; \
	    $(MVNW) -q -pl bench exec:java -Dbench.main=dev.rapport.bench.DeskBench -Dexec.args="$(DESK_PHASES)"; \
	  fi; \
	  if [[ " $(BENCH) " == *" channel "* ]]; then \
	    dev/stack.sh services-down; \
	    RAPPORT_TWILIO_RATE_LIMIT=0 RAPPORT_SERVICES="profile-service suppression-service channel-gateway" \
	      dev/stack.sh services; \
	    $(MVNW) -q -pl bench exec:java -Dbench.main=dev.rapport.bench.ChannelBench -Dexec.args="$(CHANNEL_PHASES)"; \
	  fi

status: ## Show what answers on the stack's ports
	@$(ENV) dev/stack.sh status

token: ## Print an access token of a demo user: make token AS=agent (integrator by default)
	@$(ENV) dev/stack.sh token $(or $(AS),integrator)

clean: ## Remove build output and the local stack's data (keeps downloads)
	@$(ENV) $(MVNW) -q clean
	rm -rf .local/run .local/logs .local/pgdata-* .local/redis
