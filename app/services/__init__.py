"""Grading, progress and learners: plain functions over the catalog and the store."""
