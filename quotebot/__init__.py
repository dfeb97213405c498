"""The application layer: the `quotebot` command line and its logging.

Imports go one way: quotebot -> bot -> retrieval -> embeddings. Nothing below imports this
package (tests/test_architecture.py checks it).
"""
