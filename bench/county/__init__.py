"""The county-scale benchmark (issue 12): generator, baseline, peer, load and report. See bench/RESULTS.md."""
