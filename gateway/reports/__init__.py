"""The yearly report: the view of the metrics reply, and its HTML, CSV and SVG renderings."""
