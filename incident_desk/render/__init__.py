"""Renderers from domain data to text: the seed's report layout, Markdown."""
