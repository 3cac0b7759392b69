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

.PHONY: help dev test test-verbose lint fix typecheck check migrate migrate-check bench

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
