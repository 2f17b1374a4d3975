"""The load test: a locust scenario of the product's main users (``make load``, ``scripts/load.sh``)."""
