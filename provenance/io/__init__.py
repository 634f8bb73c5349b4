"""Interchange: read and import documents (YAML, JSON) and flat CSV; export all three.

``import_sources`` (importer) and ``export`` with its ``EXPORTERS`` registry
(exporters) are the API the ``prov import`` and ``prov export`` commands wrap.
"""

from provenance.io.exporters import EXPORTERS, export
from provenance.io.importer import ImportReport, import_sources

__all__ = ["EXPORTERS", "ImportReport", "export", "import_sources"]
