// Special functions: filled in by the statistics work.
