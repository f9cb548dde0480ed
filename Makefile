# perfgate — see README.md. `make test` is what CI runs; `make demo` shows the pipeline.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN         := bin
DEMO        := demo-out
HISTORY_RUNS := $(addprefix testdata/locust/locust-2.12.1-,baseline-run1_stats.csv baseline-run1.json baseline-run1_stats.csv regressed-run1.json regressed-run1_stats.csv)
GOLDEN_PKGS := ./internal/extract/ ./cmd/compare-performance/ ./cmd/create-regression-issue/ ./pkg/report/
# The version every binary prints for --version: the tag, else the commit (override:
# make release VERSION=v1.2.3).
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null)
LDFLAGS     := $(if $(VERSION),-X github.com/perfgate/perfgate/pkg/cli.version=$(VERSION))
# Archive entries get the commit's time, so that a release can be rebuilt byte for byte.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: all build release test vet fmt-check tidy-check staticcheck shellcheck unit tools demo golden bench aa clean render render-tools

all: build

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/ ./cmd/...

# Static binaries (CGO_ENABLED=0, -trimpath) for linux and darwin on amd64 and arm64 and
# windows on amd64, as dist/perfgate_VERSION_OS_ARCH.tar.gz (.zip) and dist/SHA256SUMS.
release:
	@test -n "$(VERSION)" || { echo "release: no version: make release VERSION=v1.2.3"; exit 1; }
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) GO=$(GO) $(GO) run ./scripts/release -version $(VERSION) -out dist

test: vet fmt-check tidy-check staticcheck shellcheck unit

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

tidy-check:
	$(GO) mod tidy -diff

staticcheck:
	$(GO) run $(STATICCHECK) ./...

# CI (CI=true) requires xmllint, so that the JUnit output is validated against Jenkins'
# schema by libxml2 as well as by the tests' Go checker.
unit: tools
	PERFGATE_REQUIRE_XMLLINT=$(if $(filter true,$(CI)),1,) $(GO) test -race -count=1 ./...

# The Action's shell (scripts/*.sh) must pass shellcheck; on CI it is required.
shellcheck: tools
	@if command -v shellcheck >/dev/null 2>&1; then shellcheck scripts/*.sh; \
	elif [ "$(CI)" = true ]; then echo "shellcheck missing"; exit 1; \
	else echo "note: shellcheck not found (apt-get install shellcheck): scripts/*.sh not checked"; fi

# Debian packages the checks use, installed when missing and apt-get can (as root):
# xmllint (libxml2-utils) validates the JUnit output against Jenkins xUnit's junit-10.xsd
# in pkg/report's tests; shellcheck checks the Action's scripts.
tools:
	@missing=""; \
	command -v xmllint >/dev/null 2>&1 || missing="$$missing libxml2-utils"; \
	command -v shellcheck >/dev/null 2>&1 || missing="$$missing shellcheck"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing"; \
	    apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "note: not installed:$$missing (apt-get install$$missing); the tests use their Go checker for the JUnit schema"; \
	  fi; \
	fi

golden:
	$(GO) test $(GOLDEN_PKGS) -update

demo: build
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@echo "== 1. Baseline from the reference Locust run (testdata/locust/locust-2.12.1-baseline-run1_stats.csv)"
	$(BIN)/extract-baselines --group-by endpoint testdata/locust/locust-2.12.1-baseline-run1_stats.csv $(DEMO)/performance-baselines.json
	@echo
	@echo "== 2. Metrics of the new run (testdata/locust/locust-2.12.1-regressed-run1_stats.csv)"
	$(BIN)/extract-metrics --group-by endpoint testdata/locust/locust-2.12.1-regressed-run1_stats.csv $(DEMO)/load-results.json
	@echo
	@echo "== 3. Compare (exit 1 expected: chat, rag query and mcp slowed 1.6x; chat errors x3)"
	-$(BIN)/compare-performance --report $(DEMO)/regression-analysis.md --json $(DEMO)/results.json --junit $(DEMO)/junit.xml \
		$(DEMO)/performance-baselines.json $(DEMO)/load-results.json; echo "compare-performance exit code: $$?"
	@echo
	@echo "== 3b. The same pair, noise-aware (recommended), with p95 +25 % and error rate +2 points for every endpoint:"
	@echo "   a breach fails only when the samples show it is significant; the Evidence section says why."
	-$(BIN)/compare-performance --noise-aware --threshold default.p95_latency_ms=+25% --threshold default.error_rate_pct=+2 --threshold default.rps=off \
		--report $(DEMO)/regression-analysis-noise-aware.md $(DEMO)/performance-baselines.json $(DEMO)/load-results.json; echo "compare-performance exit code: $$?"
	@echo
	@echo "== 4. Another tool: JMeter 2.13 JTLs (no header), compared raw, by endpoint."
	@echo "   JMeter ran a closed workload: throughput falls with latency, so the rps check is turned off here."
	$(BIN)/extract-baselines --group-by endpoint testdata/real/jmeter-2.13-baseline-run1.jtl $(DEMO)/jmeter-baselines.json
	-$(BIN)/compare-performance --group-by endpoint --threshold default.rps=off --report $(DEMO)/jmeter-analysis.md $(DEMO)/jmeter-baselines.json testdata/real/jmeter-2.13-regressed-run1.jtl; echo "compare-performance exit code: $$?"
	@echo
	@echo "== 5. The seed's own sample files: old-style CSV baseline vs Python-written metrics (0.0 percentiles):"
	@echo "   both sides' p95 are estimated from their averages and compared like with like."
	$(BIN)/extract-baselines testdata/seed/sample_results_stats.csv $(DEMO)/seed-baselines.json
	-$(BIN)/compare-performance --report $(DEMO)/seed-analysis.md $(DEMO)/seed-baselines.json testdata/seed/sample_metrics_degraded.json; echo "compare-performance exit code: $$?"
	@echo
	@echo "== 6. History: the real Locust runs replayed as five commits (GITHUB_SHA set here; in Actions it is the commit):"
	@echo "   three of the unchanged code (the baseline run's CSV, its --json output, the CSV again), then two of the"
	@echo "   regressed code (its --json output, its CSV), each compared with --history. Runs 4 and 5 fail."
	@rm -f $(DEMO)/perf-history.jsonl; i=0; for cur in $(HISTORY_RUNS); do i=$$((i+1)); \
		GITHUB_SHA=$$(printf commit$$i | sha1sum | cut -c1-40) $(BIN)/compare-performance --quiet --group-by endpoint \
			--history $(DEMO)/perf-history.jsonl --report $(DEMO)/history-run$$i.md $(DEMO)/performance-baselines.json $$cur; \
		echo "   run $$i ($$cur): exit code $$?"; done
	wc -l $(DEMO)/perf-history.jsonl
	@echo "   The fifth report ($(DEMO)/history-run5.md) charts each failing metric over the five runs (### 📈 Trend);"
	@echo "   the issue body carries the charts ($(DEMO)/issue-dry-run.txt). A baseline from the last 4 passing runs (3 passed):"
	$(BIN)/create-regression-issue --dry-run $(DEMO)/history-run5.md > $(DEMO)/issue-dry-run.txt
	$(BIN)/extract-baselines --from-history $(DEMO)/perf-history.jsonl --last 4 $(DEMO)/baseline-from-history.json
	@echo
	@echo "== Written files:"
	@ls -l $(DEMO)

# Not part of test (about a minute): the noise-aware mode's false alarms on 1,000 bootstrap
# and 1,000 random-half A/A pairs per shared run and tool, and its power at a 1.3x slowdown.
aa:
	$(GO) test -count=1 -run 'TestAAFalseAlarms|TestPower' -v ./pkg/threshold/ -aa.pairs 1000

# Not part of test: every raw format, several GB (SIZE=1GB BIG=4GB KINDS=… RUNS=3 DIR=/tmp/perfgate-bench).
bench:
	bash bench/run.sh

# Render every Mermaid trend chart for real: Debian's chromium (apt) loads the mermaid npm
# package (npm pack from the registry, no CDN) and renders the charts of the demo's five
# compares with --history (the fifth report and the issue body built from it) and of
# testdata/report/trend.golden.md (hostile names, 21 runs); a Mermaid syntax or render
# error, or a drawn chart missing a point, fails. PNGs go to $(DEMO)/charts/. CI runs it.
MERMAID_VERSION ?= 11.4.1
TOOLS           := .tools
MERMAID_JS      := $(TOOLS)/mermaid-$(MERMAID_VERSION)/package/dist/mermaid.min.js
SUDO            := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

render: render-tools demo
	$(GO) run ./docs/render -chromium "$$(command -v chromium)" -mermaid $(MERMAID_JS) -out $(DEMO)/charts \
		$(DEMO)/history-run5.md $(DEMO)/issue-dry-run.txt testdata/report/trend.golden.md

render-tools: $(MERMAID_JS)
	@command -v chromium >/dev/null 2>&1 || { echo "== installing chromium (apt)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }
	@chromium --version

$(MERMAID_JS):
	@command -v npm >/dev/null 2>&1 || { echo "== installing npm (apt)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends npm >/dev/null; }
	@mkdir -p $(TOOLS)/mermaid-$(MERMAID_VERSION)
	cd $(TOOLS)/mermaid-$(MERMAID_VERSION) && npm pack --silent mermaid@$(MERMAID_VERSION) >/dev/null && tar -xzf mermaid-$(MERMAID_VERSION).tgz package/dist/mermaid.min.js package/package.json
	@test -s $(MERMAID_JS)

clean:
	rm -rf $(BIN) $(DEMO) dist
