"""The Temporal vocabulary shared by workflows, activities, worker and client.

The rest of ``browserflow/`` is Temporal-free domain code; this sub-package is the one place that names
Temporal things: the retry-policy table, the search-attribute keys, the connection helper, tracing.
"""
