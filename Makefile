# Convenience targets; the README's two commands need only Python and pip.
VENV := .venv
PY := $(VENV)/bin/python

$(PY):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -e '.[test]'

.PHONY: build test bench
build: $(PY)
	$(VENV)/bin/atcgraph build

test:
	sh scripts/test.sh

# Side-by-side timings of the baseline and the project pipeline at seed, 1k, 10k and 100k studies
# (takes a while: the baseline's owlrl needs minutes at 10k). Writes build/bench/results.{md,csv}.
bench: $(PY)
	$(PY) -m benchmarks.run
