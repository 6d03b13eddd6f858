# Conveniences over tasks.py, which is what the README and CI use (it needs only Python 3).
.PHONY: plots test quick docs full
plots:
	python3 tasks.py plots
test:
	python3 tasks.py test
quick:  # pictures into plots/quick/, the committed ones untouched
	python3 tasks.py plots --quick
docs:  # the documentation site, into site/
	python3 tasks.py docs
full:  # the longer benchmark runs the figures were first made with
	python3 tasks.py plots --full
