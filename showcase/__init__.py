"""showcase: affiliate storefronts from partner product feeds."""

__version__ = "0.1.0"
