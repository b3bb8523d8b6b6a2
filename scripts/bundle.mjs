// Placeholder until the bundler lands: the tsc output in dist/src is what runs.
