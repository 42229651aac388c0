# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
POSTGRES_HINT := DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres make test

.PHONY: run serve test lint migrations-check install install-test backup restore

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt tests/requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r tests/requirements.txt
	touch $(VENV)/.installed $@

# axe-core, the accessibility rules the browser tests run, at the version package-lock.json pins.
# Without npm its tests are skipped, or fail where ARCHIVE_REQUIRE_BROWSER=1 (CI).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the accessibility tests will be skipped (apt-get install npm)"; \
	fi

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test node_modules/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed
	@echo
	@echo "To create an editor account:   $(PY) manage.py create_editor YOUR-NAME"
	@echo "To create a superuser:         $(PY) manage.py createsuperuser"
	@echo "Then sign in at http://127.0.0.1:8000/admin/"
	@echo
	$(PY) manage.py runserver 127.0.0.1:8000

# The production stack on this machine: gunicorn, DJANGO_DEBUG off, static files by whitenoise.
# Plain HTTP on 127.0.0.1:8000; a throwaway secret key unless DJANGO_SECRET_KEY is set.
serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seed
	export DJANGO_DEBUG=0 DJANGO_HTTPS=$${DJANGO_HTTPS:-0} \
		DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}; \
	$(PY) manage.py collectstatic --noinput -v0 && \
	exec $(VENV)/bin/gunicorn -c config/gunicorn.conf.py config.wsgi

# A portable dump (natural keys) of the archive and its accounts, and its restore into an empty database.
BACKUP ?= archive-backup.json
backup: install
	$(PY) manage.py archive_backup $(BACKUP)

restore: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py archive_restore $(BACKUP)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check: install-test
	env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run

test: install-test lint migrations-check
	@echo "== SQLite =="
	env -u DATABASE_URL $(VENV)/bin/pytest
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== PostgreSQL ($$DATABASE_URL) =="; \
		$(VENV)/bin/pytest; \
	else \
		echo "PostgreSQL leg SKIPPED: DATABASE_URL is not set. Run it with: $(POSTGRES_HINT)"; \
	fi
