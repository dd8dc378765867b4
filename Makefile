# Two entry points on a fresh machine: `make demo` and `make test`. Both bootstrap .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BROWSER := $(VENV)/.browser
DEMO := demo_output

.PHONY: demo test lint format bench clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	# its own pins would pull a second OpenCV; its needs are in requirements.txt
	$(BIN)/pip install --quiet --no-deps rapidocr-onnxruntime==1.4.4
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/speedlines predict examples --out $(DEMO)/predicted --overlay
	$(BIN)/speedlines digitize examples --calibration examples --out $(DEMO)/digitized
	$(BIN)/speedlines digitize examples/chart.png --calibration examples/chart.json \
		--speeds 109655,135702,161749,187796 --out $(DEMO)/digitized
	$(BIN)/speedlines generate $(DEMO)/data --count 12 --seed 2026 --workers 2 --force
	$(BIN)/speedlines preview $(DEMO)/data --out $(DEMO)/sheet.png --count 12 --columns 4
	@echo "open $(DEMO)/predicted/*.overlay.png (speedlines found by the shipped model, in red),"
	@echo "$(DEMO)/digitized/*.overlay.png and *.csv (each speedline as a curve in data units;"
	@echo "chart.map is the GasTurb-style map of the chart, whose speeds are known)"
	@echo "and $(DEMO)/sheet.png (generated training data, labels in red)"

# The page's end-to-end test needs Debian's chromium and chromium-driver: installed where this
# user may (root with apt-get); otherwise that one test is skipped and says why.
$(BROWSER): $(STAMP)
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium and chromium-driver for the browser test"; \
		apt-get install -y -q chromium chromium-driver >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null 2>&1 && \
		  apt-get install -y -q chromium chromium-driver >/dev/null 2>&1; } || \
		echo "chromium could not be installed: the browser test will be skipped"; \
	else echo "not root: chromium not installed, the browser test will be skipped"; fi
	touch $@

test: $(STAMP) $(BROWSER)
	$(BIN)/ruff check src tests benchmarks docs experiments
	$(BIN)/ruff format --check src tests benchmarks docs experiments
	$(BIN)/pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks docs experiments

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks docs experiments
	$(BIN)/ruff check --fix src tests benchmarks docs experiments

bench: $(STAMP)
	$(BIN)/python benchmarks/generate.py
	$(BIN)/python benchmarks/predict.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache
