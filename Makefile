# perfgate — see README.md. `make test` is what CI runs; `make demo` shows the pipeline.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN         := bin
DEMO        := demo-out
GOLDEN_PKGS := ./pkg/extract/ ./pkg/compare/ ./pkg/issue/

.PHONY: all build test vet fmt-check staticcheck unit demo golden bench clean

all: build

build:
	$(GO) build -o $(BIN)/ ./cmd/...

test: vet fmt-check staticcheck unit

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

staticcheck:
	$(GO) run $(STATICCHECK) ./...

unit:
	$(GO) test -race -count=1 ./...

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
	@echo "== 5. The seed's own sample files: old-style CSV baseline vs Python-written metrics (0.0 percentiles)"
	$(BIN)/extract-baselines testdata/seed/sample_results_stats.csv $(DEMO)/seed-baselines.json
	-$(BIN)/compare-performance --report $(DEMO)/seed-analysis.md $(DEMO)/seed-baselines.json testdata/seed/sample_metrics_degraded.json; echo "compare-performance exit code: $$?"
	@echo
	@echo "== Written files:"
	@ls -l $(DEMO)

# Not part of test: every raw format, several GB (SIZE=1GB BIG=4GB KINDS=… RUNS=3 DIR=/tmp/perfgate-bench).
bench:
	bash bench/run.sh

clean:
	rm -rf $(BIN) $(DEMO)
