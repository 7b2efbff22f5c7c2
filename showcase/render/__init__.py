"""Catalog -> static storefront: the page model, the theme, the output layer and the build."""
