"""Services: learners and accounts: sign-up, log-in, throttling, merging, export."""
