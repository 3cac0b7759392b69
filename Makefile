# The familiar commands. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

# uv finds Python 3.13/3.14 itself (and downloads one where it may). Where
# pyenv shims hide an installed 3.13/3.14 from it, point it at the interpreter.
ifndef UV_PYTHON
PYENV_ROOT ?= $(or $(shell pyenv root 2>/dev/null),$(HOME)/.pyenv)
PYENV_PYTHON := $(lastword $(wildcard $(PYENV_ROOT)/versions/3.1[34].*/bin/python3))
ifneq ($(PYENV_PYTHON),)
export UV_PYTHON := $(PYENV_PYTHON)
endif
endif

RUN := uv run --locked
# Docker Compose: PROFILE=dev publishes on loopback (8080), prod on HTTP_PORT (80).
PROFILE ?= dev
COMPOSE := docker compose --profile $(PROFILE)
SECRETS := secret_key database_password redis_password

.PHONY: help dev test test-verbose lint fix typecheck check migrate migrate-check bench \
	secrets serve rebuild refresh restart stop logs logs-web logs-worker shell db-fresh

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

dev: ## Run the whole stack on this machine (sector-7g up); Ctrl-C stops it
	$(RUN) sector-7g up

test: ## Run the test suite against real PostgreSQL and Redis
	$(RUN) pytest

test-verbose: ## Run the test suite, one line per test
	$(RUN) pytest -v

lint: ## ruff check and format check
	$(RUN) ruff check .
	$(RUN) ruff format --check .

fix: ## ruff fixes and formatting
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

typecheck: ## ty
	$(RUN) ty check

check: lint typecheck test ## lint + typecheck + test

migrate: ## Apply database migrations
	$(RUN) sector-7g db migrate

migrate-check: ## Fail if the models and the migrations disagree
	$(RUN) sector-7g db check

bench: ## Benchmarks: each figure against a baseline measured in the same run
	$(RUN) python -m bench

secrets: ## Write random Compose secrets into ./secrets, where missing
	@mkdir -p secrets && chmod 700 secrets
	@for name in $(SECRETS); do \
	  [ -s secrets/$$name ] || { umask 022; openssl rand -hex 32 > secrets/$$name; }; \
	done

serve: secrets ## Run the stack in Docker Compose; wait until every service is healthy
	$(COMPOSE) up -d --wait

rebuild: ## Build the image with Nix, load it, and run the stack on it
	nix build .#image && ./result | docker load
	$(COMPOSE) up -d --wait

refresh: ## Regenerate docker-compose.yml from the process table and apply it
	$(RUN) sector-7g deploy compose
	$(COMPOSE) up -d --wait --remove-orphans

restart: ## Restart every service of the Compose stack
	$(COMPOSE) restart

stop: ## Stop the Compose stack (its volumes stay)
	$(COMPOSE) down

logs: ## Follow every service's logs
	$(COMPOSE) logs -f

logs-web: ## Follow the webserver's logs
	$(COMPOSE) logs -f webserver

logs-worker: ## Follow the workers' logs
	$(COMPOSE) logs -f $$($(COMPOSE) config --services | grep '^worker-')

shell: ## psql on the stack's database
	$(COMPOSE) exec postgres psql -U sector7g sector7g

db-fresh: ## Start over: drop the stack's volumes (database, Redis, backups) and run it
	$(COMPOSE) down --volumes
	$(COMPOSE) up -d --wait
