"""One module per kind of question: how its answer is checked, graded and explained."""
