# perfgate — see README.md. `make test` is what CI runs; `make demo` shows the pipeline.
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
BIN         := bin
DEMO        := demo-out
GOLDEN_PKGS := ./pkg/extract/

.PHONY: all build test vet fmt-check staticcheck unit demo golden clean

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
	$(GO) test $(GOLDEN_PKGS) -run Golden -update

demo: build
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@echo "== 1. Baseline from the reference Locust run (testdata/locust/locust-2.12.1-baseline-run1_stats.csv)"
	$(BIN)/extract-baselines --group-by endpoint testdata/locust/locust-2.12.1-baseline-run1_stats.csv $(DEMO)/performance-baselines.json
	@echo
	@echo "== 2. Metrics of the new run (testdata/locust/locust-2.12.1-regressed-run1_stats.csv)"
	$(BIN)/extract-metrics --group-by endpoint testdata/locust/locust-2.12.1-regressed-run1_stats.csv $(DEMO)/load-results.json
	@echo
	@echo "== 3. The seed's old-style CSV, with its three built-in services"
	$(BIN)/extract-metrics testdata/seed/sample_results_stats.csv $(DEMO)/seed-results.json
	@echo
	@echo "== Written files:"
	@ls -l $(DEMO)

clean:
	rm -rf $(BIN) $(DEMO)
