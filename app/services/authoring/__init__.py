"""Services: for authors: verifying every snippet by running it, question statistics."""
