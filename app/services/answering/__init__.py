"""Services: an answer from the form to the feedback: grading per kind, variants, hints."""
