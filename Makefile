# The two commands a newcomer needs (see README.md). Both install what they
# need on first use and skip it afterwards.
.PHONY: run test

## Build and run Checkoff on SQLite with demo data at http://127.0.0.1:3000
run:
	.ci/serve-demo.sh

## Run every test: Rust (SQLite and PostgreSQL) and Chromium end-to-end
test:
	.ci/test.sh
