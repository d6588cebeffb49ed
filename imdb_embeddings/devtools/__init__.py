"""For the tests and the benchmarks, never the stages: a copy of the project
to run for real, and an HTTP server that misbehaves on purpose."""
