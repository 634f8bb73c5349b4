"""prov: a claim-provenance tracker.

Stores every assertion of a claim with its speaker, the source the speaker relied
on, the outlet that carried it and its confidence wording, and decides which claims
are corroborated by independent sources, contested, or resting on one source.
"""

__version__ = "0.1.0"
