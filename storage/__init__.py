"""The storage edge: originals (blobs/), records (db, tables, applications), audit trail.

Import the modules themselves (`storage.db`, `storage.applications`, `storage.audit`,
`storage.blobs`); this package file stays empty so that importing one pulls in no other.
"""
