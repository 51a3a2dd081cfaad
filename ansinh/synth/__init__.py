"""Synthetic registries: a believable province of households and persons, for demos, tests
and benchmarks (`ansinh synth`, `ansinh demo`)."""
