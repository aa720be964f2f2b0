"""Words shared by the CLI and the app: labels of stored values, summaries, file names."""
