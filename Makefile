# Two commands do everything on a fresh machine:
#   make run   - set up, load the demo data and accounts, serve on http://127.0.0.1:8000
#   make test  - set up and run the whole test suite (DATABASE_URL selects PostgreSQL)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE := coverage_site.settings

.PHONY: setup run test lint messages demo-fixture clean benchmark bench-db loadtest chromium fonts mutation axe \
  benchmark-national

setup: $(VENV)/.installed messages

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

# English translations (the interface is written in Vietnamese).
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || (apt-get install -y -qq gettext >/dev/null 2>&1 || true)
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=mutants -v0

run: setup fonts
	DEBUG=1 $(PY) manage.py migrate --noinput -v0
	DEBUG=1 $(PY) manage.py setup_demo
	@echo "Mở http://127.0.0.1:8000 và đăng nhập bằng một tài khoản ở trên."
	@# The background-job worker (large uploads and exports) runs beside the server and stops with it.
	DEBUG=1 $(PY) manage.py db_worker --interval 1 --no-startup-delay -v0 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: setup chromium fonts axe
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} $(PY) -m pytest $(PYTEST_ARGS)

# A font with Vietnamese glyphs for the PDF summaries (DejaVu Sans).
fonts:
	@[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || apt-get install -y -qq fonts-dejavu-core >/dev/null 2>&1 \
	  || echo "Could not install fonts-dejavu-core: PDF exports will fail."

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
chromium:
	@if [ "$$SKIP_BROWSER_TESTS" != 1 ] && ! command -v chromium >/dev/null; then \
	  echo "Installing Chromium for the browser tests (apt)…"; \
	  (apt-get install -y -qq chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)) \
	  || echo "Could not install chromium: the browser tests will fail (SKIP_BROWSER_TESTS=1 skips them)."; \
	fi

# axe-core, for the accessibility checks of the browser tests (npm registry;
# package.json pins it; never served to users).
axe:
	@if [ "$$SKIP_BROWSER_TESTS" != 1 ] && [ ! -f node_modules/axe-core/axe.min.js ]; then \
	  npm ci --no-audit --no-fund --silent || echo "Could not install axe-core: the accessibility tests will fail."; \
	fi

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Mutation testing of the engine, rules, scope, importer, summaries and
# actions (pyproject.toml [tool.mutmut]); not part of CI: about an hour on
# two cores. Prints the count of each outcome and the kill rate; see
# docs/mutation.md. MUTMUT_ARGS can name mutants to re-run.
mutation: setup
	SECRET_KEY=mutation-only $(PY) tools/hand_mutants.py
	$(VENV)/bin/pip install --quiet mutmut==3.3.1
	SECRET_KEY=mutation-only $(VENV)/bin/mutmut run --max-children 2 $(MUTMUT_ARGS) > var/mutmut.log 2>&1 || true
	@$(VENV)/bin/mutmut results --all true | awk -F': ' 'NF == 2 { n[$$2]++; t++ } \
	  END { for (s in n) printf "%-12s %5d\n", s, n[s]; \
	        printf "kill rate: %.1f%% (%d of %d mutants killed)\n", 100 * n["killed"] / t, n["killed"], t }'

# Regenerate fixtures/demo/ after changing hamlets/demo.py.
demo-fixture: setup
	DEBUG=1 $(PY) manage.py build_demo_fixture

clean:
	rm -rf $(VENV) var staticfiles mutants

# Benchmark of the indicator engine on a generated province (PostgreSQL).
# Prints figures; see docs/benchmarks.md. BENCH_DB is dropped and re-created.
BENCH_DB ?= chibo_bench
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
benchmark: setup bench-db
	DEBUG=1 ALLOWED_HOSTS=localhost DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(PY) manage.py benchmark --as-of 2026-06-30 --reorganise 20

# The generated province in BENCH_DB, made afresh (the import is timed).
bench-db: setup
	psql "$(BENCH_PG)/postgres" -q -c "DROP DATABASE IF EXISTS $(BENCH_DB)" -c "CREATE DATABASE $(BENCH_DB)"
	DEBUG=1 $(PY) manage.py generate_data var/bench-data
	DEBUG=1 DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(PY) manage.py migrate -v0
	DEBUG=1 DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) /usr/bin/time -f "import: %e s wall clock, %M KB peak memory" \
	  $(PY) manage.py import_data var/bench-data -v0

# Load test (locust, in its own environment var/loadtest-venv): gunicorn with
# 3 workers on 127.0.0.1:$(LOAD_PORT) over the generated province in BENCH_DB
# (made first if missing), LOAD_USERS simulated people measured for
# LOAD_MEASURE_SECONDS once all have logged in (LOAD_TIME caps the whole run);
# prints requests/s, p50/p95/p99 and errors per page (tools/loadtest/locustfile.py).
# The figures are warmed first, as the nightly `manage.py warm_figures` does.
LOAD_USERS ?= 50
LOAD_WORKERS ?= 3
# Threads per gunicorn worker (gunicorn's gthread worker when more than 1).
LOAD_THREADS ?= 1
LOADTEST_MAX_CLERKS ?=
LOAD_MEASURE_SECONDS ?= 60
LOAD_TIME ?= 300s
LOAD_PORT ?= 8765
# LOAD_REDIS_URL: the shared cache in Redis (as a large deployment runs), else the database's.
LOAD_REDIS_URL ?=
# Seconds each simulated person pauses between actions (tools/loadtest/locustfile.py).
LOAD_WAIT ?= 1 3
LOAD_ENV = DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) SECRET_KEY=load-test-only SECURE_COOKIES=0 ALLOWED_HOSTS=127.0.0.1 \
  LOAD_MEASURE_SECONDS=$(LOAD_MEASURE_SECONDS) LOADTEST_MAX_CLERKS=$(LOADTEST_MAX_CLERKS) LOAD_WAIT="$(LOAD_WAIT)" \
  $(if $(LOAD_REDIS_URL),REDIS_URL=$(LOAD_REDIS_URL)) $(if $(PG_PARALLEL_WORKERS),PG_PARALLEL_WORKERS=$(PG_PARALLEL_WORKERS))
loadtest: setup
	@psql "$(BENCH_PG)/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_DB)'" | grep -q 1 || $(MAKE) bench-db
	@[ -x var/loadtest-venv/bin/locust ] || (python3 -m venv var/loadtest-venv && var/loadtest-venv/bin/pip install --quiet locust==2.47.0)
	$(LOAD_ENV) $(PY) manage.py migrate -v0
	$(LOAD_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(LOAD_ENV) $(PY) tools/loadtest/prepare.py
	$(LOAD_ENV) $(PY) manage.py warm_figures
	rm -f var/loadtest/pages.json var/loadtest/result_*.csv
	$(LOAD_ENV) $(VENV)/bin/gunicorn coverage_site.wsgi --bind 127.0.0.1:$(LOAD_PORT) --workers $(LOAD_WORKERS) \
	  --threads $(LOAD_THREADS) --pid var/loadtest/gunicorn.pid --log-level warning --timeout 120 & \
	  trap 'kill $$(cat var/loadtest/gunicorn.pid) 2>/dev/null' EXIT INT TERM; sleep 3; \
	  var/loadtest-venv/bin/locust -f tools/loadtest/locustfile.py --headless --host http://127.0.0.1:$(LOAD_PORT) \
	    --users $(LOAD_USERS) --spawn-rate 10 --run-time $(LOAD_TIME) --only-summary --csv var/loadtest/result \
	    2>&1 | grep -v "^\[" ; \
	  $(PY) tools/loadtest/summary.py var/loadtest/result_stats.csv

# The national benchmark (issue: the whole country): a generated country
# (34 provinces, 3,321 communes, 90,000 hamlets, 5.6 million members; made
# once into var/national/, about 3 minutes) imported afresh into NATIONAL_DB
# (NATIONAL_JOBS provinces at a time), then every budget measured and printed
# as a table (manage.py benchmark_national), then the load test: 200 people,
# 4 gunicorn workers. See docs/benchmarks.md. Takes about an hour.
NATIONAL_DB ?= chibo_national
NATIONAL_JOBS ?= 2
# The shared cache of a large deployment (docs/deployment.md); its database 3
# is emptied by the benchmark.
NATIONAL_REDIS ?= redis://127.0.0.1:6379/3
# Production settings (DEBUG off: no query log growing with every statement).
NATIONAL_ENV = SECRET_KEY=benchmark-only ALLOWED_HOSTS=localhost SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 \
  DATABASE_URL=$(BENCH_PG)/$(NATIONAL_DB) REDIS_URL=$(NATIONAL_REDIS)
# Threads per gunicorn worker in the national load test. 4 (gthread) was
# measured and is not the default: under overload its keep-alive connections
# were reset (32 errors in 60 s) and the throughput was no higher.
NATIONAL_THREADS ?= 1
benchmark-national: setup
	@[ -f var/national/34-AG/memberships.csv ] || (rm -rf var/national && \
	  DEBUG=1 /usr/bin/time -f "generate: %e s, %M KB peak memory" $(PY) manage.py generate_data var/national --national)
	psql "$(BENCH_PG)/postgres" -q -c "DROP DATABASE IF EXISTS $(NATIONAL_DB)" -c "CREATE DATABASE $(NATIONAL_DB)"
	$(NATIONAL_ENV) $(PY) manage.py migrate -v0
	$(NATIONAL_ENV) /usr/bin/time -a -o var/national-import.log -f "import: %e s wall clock, %M KB peak memory" \
	  $(PY) manage.py import_data var/national --jobs $(NATIONAL_JOBS) -v0 > var/national-import.log
	@tail -2 var/national-import.log
	$(NATIONAL_ENV) $(PY) manage.py benchmark_national --import-log var/national-import.log
	@# 200 people, 4 workers: first pausing 1-3 s between actions, then 5-15 s (docs/benchmarks.md).
	$(MAKE) --no-print-directory loadtest BENCH_DB=$(NATIONAL_DB) LOAD_USERS=200 LOAD_WORKERS=4 LOADTEST_MAX_CLERKS=200 \
	  LOAD_REDIS_URL=$(NATIONAL_REDIS) LOAD_THREADS=$(NATIONAL_THREADS) LOAD_WAIT="1 3"
	$(MAKE) --no-print-directory loadtest BENCH_DB=$(NATIONAL_DB) LOAD_USERS=200 LOAD_WORKERS=4 LOADTEST_MAX_CLERKS=200 \
	  LOAD_REDIS_URL=$(NATIONAL_REDIS) LOAD_THREADS=$(NATIONAL_THREADS) LOAD_WAIT="5 15"
