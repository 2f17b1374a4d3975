"""``manage.py bench``: the project's own benchmark.

Each item is timed against a *floor* measured in the same run on the same machine (these machines are noisy, so
absolute times alone mean little): a page against a trivial view on the same middleware stack, a return or a
scorecard against one hand-written SQL aggregate over the same rows, a PDF against a one-page plain-text PDF, a 903
import against the DfE validator alone on the same files. An item reports its median and 95th percentile, its
floor's median, the ratio of the two and whether it is within its target.

* :mod:`reporting.bench.timing`: timing a callable, the item record, the table on stderr;
* :mod:`reporting.bench.subjects`: what is measured (the largest RAA, its staff, two subjects of different size);
* :mod:`reporting.bench.pages`: pages through the Django test client, with their SQL query counts;
* :mod:`reporting.bench.reports`: returns and scorecards for all LAs, scorecard PDFs (one LA, all on a worker);
* :mod:`reporting.bench.ssda903`: the 903 import of a large LA's year, its speed and its peak memory.
"""
