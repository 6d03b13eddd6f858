# Conveniences over tasks.py, which is what the README and CI use (it needs only Python 3).
.PHONY: plots test quick
plots:
	python3 tasks.py plots
test:
	python3 tasks.py test
quick:  # pictures into plots/quick/, the committed ones untouched
	python3 tasks.py plots --quick
