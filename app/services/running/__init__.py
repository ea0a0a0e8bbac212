"""Services: live code: authored outputs, learners' runs, rate limits, the thread pool."""
