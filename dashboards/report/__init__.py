"""The impact report: the HTML file and its tidy tables."""
