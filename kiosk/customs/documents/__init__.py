"""The documents a driver brings (CMR, invoice, certificate of origin, packing list) as read from their pages.

Every field is a `Read`: the parsed value with vision's confidence and the text it came from. Building a
document never raises for what a page says: what cannot be read is a `Finding` in the document's `findings`.
"""

from __future__ import annotations

from kiosk.customs.documents.certificate import Certificate, CertificateLine
from kiosk.customs.documents.cmr import Cmr
from kiosk.customs.documents.invoice import Invoice, InvoiceLine
from kiosk.customs.documents.packing_list import PackingLine, PackingList
from kiosk.customs.documents.read import DocumentInputError, Read
from kiosk.customs.documents.values import Party, PlaceAndDate

__all__ = ["Certificate", "CertificateLine", "Cmr", "DocumentInputError", "Invoice", "InvoiceLine", "PackingLine",
           "PackingList", "Party", "PlaceAndDate", "Read"]
