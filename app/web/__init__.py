"""HTTP: thin routes, templates and the JSON twins of every page."""
