"""Helpers of the progress and tandem pages: one mentee's data and its components."""
