"""Services: what a learner did and what is due: progress, FSRS cards, review queue."""
